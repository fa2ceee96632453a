using System.CommandLine;
using System.Globalization;
using System.Text;
using SandboxRun.Errors;
using SandboxRun.Export;
using SandboxRun.Profiles;

namespace SandboxRun.Commands;

/// <summary>
/// <c>sandboxrun export --profile P --format systemd|oci|k8s [-o FILE] [-- COMMAND...]</c>:
/// the profile where it runs: a systemd drop-in, an OCI runtime <c>linux.seccomp</c> object,
/// a Security Profiles Operator SeccompProfile (and, with <c>-o X.yaml</c>, the kubelet
/// localhost JSON as X.json). includes/excludes are resolved for <c>--arch</c>, <c>--caps</c>
/// and <c>--kernel</c>.
/// </summary>
internal static class ExportCommand
{
    internal static Command Create()
    {
        var policy = new PolicyOptions();
        var format = new Option<string>("--format", "-f") { Description = "systemd, oci or k8s", Required = true };
        format.AcceptOnlyFromAmong("systemd", "oci", "k8s");
        var output = new Option<string?>("--output", "-o") { Description = "Write to FILE (k8s: FILE.yaml, and the localhost JSON profile beside it as FILE.json)" };
        var binary = new Option<string>("--binary") { Description = "systemd: the path of sandboxrun in ExecStart=", DefaultValueFactory = _ => "/usr/local/bin/sandboxrun" };
        var name = new Option<string?>("--name") { Description = "k8s: the SeccompProfile's name (default: the profile's file name)" };
        var ns = new Option<string>("--namespace") { Description = "k8s: its namespace", DefaultValueFactory = _ => "default" };
        var target = new Argument<string[]>("COMMAND") { Description = "systemd: the service's command line, for ExecStart=", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("export", "Write a profile as a systemd drop-in, an OCI linux.seccomp object or a Kubernetes SeccompProfile") { target };
        policy.AddTo(command);
        command.Options.Add(format);
        command.Options.Add(output);
        command.Options.Add(binary);
        command.Options.Add(name);
        command.Options.Add(ns);
        command.SetAction(result =>
        {
            var args = policy.Read(result);
            if (args.Profiles.Count != 1)
            {
                throw new UsageException($"export: give one --profile (it was given {args.Profiles.Count} times)");
            }
            var filter = args.LoadAll(args.Profiles, args.Target())[0];
            var profile = filter.Profile;
            var options = args.ResolveOptions();
            var path = result.GetValue(output);
            switch (result.GetValue(format))
            {
                case "systemd":
                    var profileArgument = File.Exists(args.Profiles[0]) ? Path.GetFullPath(args.Profiles[0]) : args.Profiles[0];
                    var text = SystemdExporter.Export(new SystemdExporter.Request(
                        profile, filter.Target, options, profileArgument, RunOptions(args), result.GetValue(binary)!, result.GetValue(target) ?? []));
                    CompileCommand.Write(path, Encoding.UTF8.GetBytes(text));
                    break;
                case "oci":
                    CompileCommand.Write(path, OciExporter.ToJson(OciExporter.Build(profile, filter.Target, options)));
                    break;
                default:
                    var seccomp = OciExporter.Build(profile, filter.Target, options);
                    var resourceName = result.GetValue(name) ?? ResourceName(args.Profiles[0]);
                    if (!IsValidName(resourceName))
                    {
                        throw new UsageException($"--name: \"{resourceName}\" is not a Kubernetes name (lower-case letters, digits, '-' and '.')");
                    }
                    var header = $"SeccompProfile made by sandboxrun export from {profile.Source} for {filter.Target.Name}:\nincludes/excludes resolved for {options.Caps.Describe()} and kernel {options.Kernel} (a SeccompProfile cannot hold them).";
                    var yaml = OciExporter.ToKubernetesYaml(seccomp, profile, resourceName, result.GetValue(ns)!, header);
                    CompileCommand.Write(path, Encoding.UTF8.GetBytes(yaml));
                    if (path is not null and not "-")
                    {
                        CompileCommand.Write(Path.ChangeExtension(path, ".json"), OciExporter.ToJson(seccomp));
                    }
                    break;
            }
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The options of run that change the program, as given, for ExecStart=.</summary>
    private static List<string> RunOptions(PolicyArgs args)
    {
        var words = new List<string>();
        if (args.Caps != "docker")
        {
            words.AddRange(["--caps", args.Caps]);
        }
        words.AddRange(args.CapAdd.SelectMany(c => new[] { "--cap-add", c }));
        words.AddRange(args.CapDrop.SelectMany(c => new[] { "--cap-drop", c }));
        if (args.Kernel is { } k)
        {
            words.AddRange(["--kernel", k]);
        }
        if (args.Enosys != "runc")
        {
            words.AddRange(["--enosys", args.Enosys]);
        }
        return words;
    }

    /// <summary>"docker-default", "/etc/app/My_Profile.json" → "my-profile": other characters become '-'.</summary>
    private static string ResourceName(string profile)
    {
        var baseName = Path.GetFileNameWithoutExtension(profile).ToLower(CultureInfo.InvariantCulture);
        var chars = baseName.Select(c => IsNameChar(c) ? c : '-').ToArray();
        var cleaned = new string(chars).Trim('-', '.');
        while (cleaned.Contains("--", StringComparison.Ordinal))
        {
            cleaned = cleaned.Replace("--", "-", StringComparison.Ordinal);
        }
        return cleaned.Length == 0 ? "profile" : cleaned;
    }

    private static bool IsNameChar(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.';

    /// <summary>A DNS subdomain name, as Kubernetes wants for metadata.name (RFC 1123).</summary>
    private static bool IsValidName(string name) =>
        name.Length is > 0 and <= 253 && name.All(IsNameChar) && char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1]);
}
