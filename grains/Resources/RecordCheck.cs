using System.Text;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Safety;
using OrleansMock.Grains.Schemas;

namespace OrleansMock.Grains.Resources;

/// <summary>
/// The check every record of a resource passes before anything changes: its size, then the resource's schema, within
/// a time budget (one per record, or one for a whole seed, so a costly pattern cannot multiply its cost).
/// </summary>
public sealed class RecordCheck(string resource, int maxRecordBytes)
{
    private ResourceSchema? _schema;
    private string? _schemaError;

    /// <summary>The budget of the next checks: a seed's, or null for one per record.</summary>
    public WorkBudget? SharedBudget { get; set; }

    /// <summary>Where a client that goes away stops the check of its record.</summary>
    public CancellationToken Cancellation { get; set; }

    /// <summary>
    /// A schema stored before schemas were checked completely may no longer compile: the resource then refuses writes
    /// with the reason instead of failing to activate.
    /// </summary>
    public void UseSchema(string? schemaJson)
    {
        try
        {
            _schema = ResourceSchema.Compile(schemaJson);
            _schemaError = null;
        }
        catch (ResourceSchemaException exception)
        {
            _schema = null;
            _schemaError = exception.Message;
        }
    }

    /// <summary>Null when the record may be stored, else the answer refusing it.</summary>
    public ResourceAnswer? Check(string json)
    {
        if (Encoding.UTF8.GetByteCount(json) > maxRecordBytes)
        {
            return ResourceAnswer.Fail(OutcomeKind.TooLarge, $"the record is larger than {maxRecordBytes} bytes");
        }
        if (_schemaError is not null)
        {
            return ResourceAnswer.Fail(OutcomeKind.Unprocessable, $"the schema of '{resource}' cannot be used ({_schemaError}); define the resource again with a corrected schema");
        }
        if (_schema is null)
        {
            return null;
        }
        SchemaFailure[] failures;
        try
        {
            failures = _schema.Validate(json, SharedBudget ?? new WorkBudget(ResourceSchema.RecordBudget, Cancellation));
        }
        catch (WorkBudgetExceededException exception)
        {
            return ResourceAnswer.Fail(OutcomeKind.Unprocessable, $"the record could not be checked against the schema of '{resource}': {exception.Message}");
        }
        return failures.Length == 0
            ? null
            : ResourceAnswer.Fail(OutcomeKind.Unprocessable, $"the record does not match the schema of '{resource}': {failures.Length} rule(s) failed", failures);
    }
}
