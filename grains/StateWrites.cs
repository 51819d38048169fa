namespace OrleansMock.Grains;

public static class StateWrites
{
    /// <summary>
    /// Writes the grain's state; if the write fails, puts the in-memory state back with <paramref name="rollBack"/> and
    /// has the grain deactivate when idle (the write may have landed even though it reported failure, so the next call
    /// reloads from storage), then rethrows.
    /// </summary>
    public static async Task WriteOrRollBackAsync<T>(this IPersistentState<T> state, IGrainBase grain, Action rollBack)
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            rollBack();
            grain.DeactivateOnIdle();
            throw;
        }
    }
}
