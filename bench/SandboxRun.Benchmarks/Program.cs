using BenchmarkDotNet.Running;
using SandboxRun.Benchmarks;

// dotnet run -c Release --project bench/SandboxRun.Benchmarks -- MODE:
//   compile                BenchmarkDotNet: parse + resolve + compile of docker-default
//   filter-table [FILE]... instructions per decision, the table of scripts/bench-filter
//   export DIR [PROFILE]   raw programs for native-tests/filter-bench (scripts/bench-filter --native)
// Anything else goes to BenchmarkDotNet's switcher (e.g. --filter '*').
return args switch
{
    ["filter-table", .. var rest] => FilterTable.Run(rest),
    ["export", .. var rest] => FilterExport.Run(rest),
    ["compile", .. var rest] => Summary(BenchmarkRunner.Run<CompileBenchmarks>(args: rest)),
    _ => Summaries(BenchmarkSwitcher.FromAssembly(typeof(CompileBenchmarks).Assembly).Run(args)),
};

static int Summary(BenchmarkDotNet.Reports.Summary summary) => summary.HasCriticalValidationErrors ? 1 : 0;

static int Summaries(IEnumerable<BenchmarkDotNet.Reports.Summary> summaries) => summaries.Any(s => s.HasCriticalValidationErrors) ? 1 : 0;
