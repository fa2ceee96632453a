/* A tiny statically linked network server for ProfilesSpecs (the static-network-server profile):
 * it listens on 127.0.0.1, connects to itself, accepts and reads "ping". "alg" asks for an
 * AF_ALG socket instead, which the profile answers by killing the process. Built by the spec
 * itself with gcc -static (no Makefile entry: only that spec needs it). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "alg") == 0) {
		int fd = socket(38, SOCK_SEQPACKET, 0); /* AF_ALG: the profile kills */
		printf("alg %d\n", fd);
		return 0;
	}
	int srv = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	if (srv < 0 || bind(srv, (struct sockaddr *)&a, sizeof a) || listen(srv, 1) || getsockname(srv, (struct sockaddr *)&a, &len))
		return perror("server"), 1;
	int cli = socket(AF_INET, SOCK_STREAM, 0);
	if (cli < 0 || connect(cli, (struct sockaddr *)&a, sizeof a))
		return perror("client"), 1;
	int conn = accept4(srv, NULL, NULL, 0);
	char buf[8] = {0};
	if (conn < 0 || write(cli, "ping", 4) != 4 || read(conn, buf, 4) != 4)
		return perror("exchange"), 1;
	printf("served %s\n", buf);
	return 0;
}
