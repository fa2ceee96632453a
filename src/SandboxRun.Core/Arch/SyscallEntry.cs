namespace SandboxRun.Arch;

// One syscall of one ABI: the kernel's name for it and the number seccomp_data.nr carries.
internal readonly record struct SyscallEntry(string Name, uint Number);
