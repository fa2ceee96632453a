using System.Text;
using System.Text.Json;
using SandboxRun.Arch;
using SandboxRun.Derive;
using SandboxRun.Diff;
using SandboxRun.Errors;
using SandboxRun.Policy;
using SandboxRun.Profiles;
using SandboxRun.Tests.Support;

namespace SandboxRun.Tests.Derive;

/// <summary>
/// <c>derive</c> writes a plain Docker-format profile that reads back, keeps the input's
/// shape, and whose compiled decisions differ from the input's in exactly what was asked.
/// </summary>
public sealed class DeriveSpecs
{
    private static readonly ResolveOptions Options = new(Capabilities.Docker, new KernelVersion(6, 18));

    private static byte[] Derive(string source, byte[] input, DeriveRequest request) => ProfileDeriver.Derive(source, input, request).Bytes;

    [Fact]
    public void I_can_derive_from_docker_default_and_diff_shows_exactly_the_change()
    {
        // Arrange
        var (source, input) = ProfileSource.LoadBytes("docker-default");
        var request = new DeriveRequest(["io_uring_setup"], ["ptrace"], [("mkdir", 13), ("mkdirat", 13), ("unshare", 38)]);

        // Act
        var output = Derive(source, input, request);

        // Assert: on both machines, every ABI, only these names change, to these actions.
        var derived = ProfileReader.Read("derived.json", output);
        Assert.Empty(derived.Warnings);
        var expected = new Dictionary<string, SeccompAction>
        {
            ["ptrace"] = SeccompAction.Allow,
            ["mkdir"] = SeccompAction.Errno(13),
            ["mkdirat"] = SeccompAction.Errno(13),
            ["unshare"] = SeccompAction.Enosys,
        };
        foreach (var target in TargetArch.All)
        {
            // ptrace is allowed by docker-default on kernel 4.8+; on 4.4 it is not: the change shows.
            var old = Options with { Kernel = new KernelVersion(4, 4) };
            var diff = ProgramDiff.Compare(
                PolicyResolver.Resolve(ProfileReader.Read(source, input), target, old),
                PolicyResolver.Resolve(derived, target, old));
            Assert.NotEmpty(diff);
            foreach (var d in diff)
            {
                Assert.True(d.Name is not null && expected.ContainsKey(d.Name), $"{d.Abi.Name} {d.What}: {d.ADescription} | {d.BDescription}");
                Assert.Equal(expected[d.Name!], d.B);
            }
            Assert.Contains(diff, d => d.Abi == target.Main && d.Name == "unshare");
        }
    }

    [Fact]
    public void I_can_keep_the_inputs_field_order_form_and_indentation()
    {
        // Arrange: the old "name" form, tabs, fields in an unusual order, a comment, a huge value.
        var input = Encoding.UTF8.GetBytes(
            "{\n\t\"syscalls\": [\n\t\t{ \"action\": \"SCMP_ACT_ALLOW\", \"name\": \"mkdir\" },\n" +
            "\t\t{ \"action\": \"SCMP_ACT_ALLOW\", \"name\": \"personality\", \"args\": [ { \"op\": \"SCMP_CMP_EQ\", \"index\": 0, \"value\": 18446744073709551615 } ] },\n" +
            "\t\t{ \"comment\": \"keep\", \"action\": \"SCMP_ACT_ALLOW\", \"names\": [\"execve\", \"rmdir\"] }\n\t],\n" +
            "\t\"defaultAction\": \"SCMP_ACT_ERRNO\"\n}\n");

        // Act
        var output = Derive("in.json", input, new DeriveRequest(["mkdir", "rmdir"], [], []));

        // Assert
        var text = Encoding.UTF8.GetString(output);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal(["syscalls", "defaultAction"], doc.RootElement.EnumerateObject().Select(p => p.Name));
        var rules = doc.RootElement.GetProperty("syscalls").EnumerateArray().ToList();
        Assert.Equal(2, rules.Count); // the mkdir rule is gone
        Assert.Equal(["action", "name", "args"], rules[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(["comment", "action", "names"], rules[1].EnumerateObject().Select(p => p.Name));
        Assert.Equal("execve", Assert.Single(rules[1].GetProperty("names").EnumerateArray()).GetString());
        Assert.Contains("18446744073709551615", text, StringComparison.Ordinal);
        Assert.StartsWith("{\n\t\"syscalls\": [\n\t\t{", text, StringComparison.Ordinal);
    }

    [Fact]
    public void I_cannot_derive_with_an_unknown_name_or_a_name_asked_twice()
    {
        var (source, input) = ProfileSource.LoadBytes("docker-default");

        var typo = Assert.Throws<UsageException>(() => Derive(source, input, new DeriveRequest([], ["ptrce"], [])));
        var twice = Assert.Throws<UsageException>(() => Derive(source, input, new DeriveRequest(["mkdir"], [], [("mkdir", 1)])));

        Assert.Equal("derive --allow: \"ptrce\" is not a syscall on any arch (did you mean ptrace?)", typo.Message);
        Assert.Equal("derive --deny: \"mkdir\" is asked for twice", twice.Message);
    }

    [Fact]
    public void I_can_remove_a_name_the_profile_does_not_name_and_get_a_note()
    {
        // Docker's current default no longer names io_uring_*: the 2023 recipe changes nothing.
        var (source, input) = ProfileSource.LoadBytes("docker-default");

        var (bytes, notes) = ProfileDeriver.Derive(source, input, new DeriveRequest(["io_uring_setup", "io_uring_enter", "io_uring_register"], [], []));

        Assert.Equal(3, notes.Count);
        Assert.StartsWith("--remove: docker-default names no \"io_uring_setup\"", notes[0], StringComparison.Ordinal);
        Assert.Equal(input, bytes);
    }

    [Theory]
    [InlineData("mkdir", "mkdir", 1)]
    [InlineData("mkdir,rmdir:EACCES", "rmdir", 13)]
    [InlineData("io_uring_setup:38", "io_uring_setup", 38)]
    public void I_can_give_deny_names_with_an_errno_name_or_number(string value, string name, int errno)
    {
        Assert.Contains((name, (ushort)errno), ProfileDeriver.ParseDeny(value));
    }

    [Fact]
    public void I_cannot_give_deny_an_errno_that_is_not_one()
    {
        var e = Assert.Throws<UsageException>(() => ProfileDeriver.ParseDeny("mkdir:EPRM").ToList());

        Assert.Equal("--deny mkdir:EPRM: \"EPRM\" is not an errno name (EPERM, EACCES, ENOSYS, ...) or a number below 4095 (did you mean EPERM?)", e.Message);
    }
}
