using System.Diagnostics;
using System.Text;

namespace OrleansMock.Tests.Http;

/// <summary>What a started process writes to stdout and stderr, collected as it runs (for a test's failure message).</summary>
public sealed class ProcessOutput
{
    private readonly StringBuilder _text = new();

    public ProcessOutput(Process process)
    {
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public override string ToString()
    {
        lock (_text)
        {
            return _text.ToString();
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_text)
            {
                _text.AppendLine(line);
            }
        }
    }
}
