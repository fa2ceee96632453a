/*
 * agent: a tiny seccomp agent for sandboxrun's end-to-end specs of SCMP_ACT_NOTIFY with
 * listenerPath, speaking runc's protocol: it listens on a unix socket, takes one connection,
 * receives the OCI ContainerProcessState JSON with the listener fd (SCM_RIGHTS), prints the
 * JSON on a line, then answers every notified call with success and the value VALUE, and
 * prints "agent: answered <nr> from pid <pid> with <VALUE>" for each, until every task
 * under the filter is gone (POLLHUP).
 *
 *   agent SOCKET VALUE
 *
 * Exit 0 when it received the fd and answered at least one call; 1 otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fputs("usage: agent SOCKET VALUE\n", stderr);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	long value = strtol(argv[2], NULL, 0);
	int server = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	snprintf(addr.sun_path, sizeof addr.sun_path, "%s", argv[1]);
	unlink(argv[1]);
	if (server < 0 || bind(server, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(server, 1) != 0) {
		perror("agent: listen");
		return 1;
	}
	puts("agent: listening");
	int conn = accept4(server, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0) {
		perror("agent: accept");
		return 1;
	}
	char json[8192];
	union {
		char buffer[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov = {.iov_base = json, .iov_len = sizeof json - 1};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buffer,
			     .msg_controllen = sizeof control.buffer};
	ssize_t n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
	if (n <= 0 || cmsg == NULL || cmsg->cmsg_type != SCM_RIGHTS) {
		fputs("agent: no fd received\n", stderr);
		return 1;
	}
	json[n] = '\0';
	int listener;
	memcpy(&listener, CMSG_DATA(cmsg), sizeof listener);
	printf("agent: state %s\n", json);

	struct seccomp_notif_sizes sizes;
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) != 0) {
		perror("agent: SECCOMP_GET_NOTIF_SIZES");
		return 1;
	}
	struct seccomp_notif *req = malloc(sizes.seccomp_notif > sizeof *req ? sizes.seccomp_notif : sizeof *req);
	struct seccomp_notif_resp *resp = malloc(sizes.seccomp_notif_resp > sizeof *resp ? sizes.seccomp_notif_resp : sizeof *resp);
	int answered = 0;
	for (;;) {
		struct pollfd p = {.fd = listener, .events = POLLIN};
		if (poll(&p, 1, 10000) <= 0 || !(p.revents & POLLIN))
			break; /* POLLHUP: every task under the filter is gone */
		memset(req, 0, sizes.seccomp_notif);
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, req) != 0)
			continue;
		memset(resp, 0, sizes.seccomp_notif_resp);
		resp->id = req->id;
		resp->val = value;
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, resp) == 0) {
			printf("agent: answered %d from pid %u with %ld\n", req->data.nr, req->pid, value);
			answered++;
		}
	}
	printf("agent: %d answered\n", answered);
	return answered > 0 ? 0 : 1;
}
