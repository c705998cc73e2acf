namespace Alpt.Environments.Datasets;

/// <summary>A dataset file that cannot be read: truncated, corrupt, or not a dataset. Names the file and the problem.</summary>
public sealed class DatasetFormatException : IOException
{
    public DatasetFormatException(string path, string problem, Exception? inner = null)
        : base($"Dataset file '{path}' is unreadable: {problem}", inner)
    {
        FilePath = path;
        Problem = problem;
    }

    public DatasetFormatException()
        : this("?", "unknown problem")
    {
    }

    public DatasetFormatException(string message)
        : this("?", message)
    {
    }

    public DatasetFormatException(string message, Exception inner)
        : this("?", message, inner)
    {
    }

    public string FilePath { get; }

    public string Problem { get; }
}
