/* A C program on Winsock 1.1, linked so that it imports ws2_32 by ordinal
 * (as MSVC's import library does for these functions); built with mingw
 * by scripts/dll-stage.sh against an import library of ordinals only.
 *
 * With no argument: a UDP echo between two sockets on 127.0.0.1, a
 * truncated datagram (WSAEMSGSIZE), a non-blocking receive
 * (WSAEWOULDBLOCK), then a select-based TCP echo (a non-blocking connect,
 * select for the listener, the connection, the request, the echo and the
 * end); one line per check, exit 1 on the first surprise.
 * With the argument "deadlock": a blocking receive nothing will ever
 * satisfy (on the model: its deadlock report; on Windows it would hang). */
#include <winsock2.h>
#include <stdio.h>
#include <string.h>

static void check(const char *what, int ok, int detail)
{
    if (ok) {
        printf("ok   %s\n", what);
    } else {
        printf("FAIL %s: %d (last error %d)\n", what, detail, WSAGetLastError());
        fflush(stdout);
        exit(1);
    }
}

/* select on one socket for one set ('r', 'w' or 'e') with a time-out in
 * milliseconds: whether the socket is in the set afterwards. */
static int ready(SOCKET s, char which, int ms)
{
    fd_set set;
    struct timeval tv;
    int n;
    FD_ZERO(&set);
    FD_SET(s, &set);
    tv.tv_sec = ms / 1000;
    tv.tv_usec = (ms % 1000) * 1000;
    n = select(0, which == 'r' ? &set : NULL, which == 'w' ? &set : NULL,
               which == 'e' ? &set : NULL, &tv);
    check("select", n >= 0 && n == (int)set.fd_count, n);
    return FD_ISSET(s, &set);
}

/* A TCP echo driven by select: the server side never blocks. */
static void select_echo(void)
{
    struct sockaddr_in la;
    int len = sizeof(la), n;
    u_long one = 1;
    char buf[64];
    SOCKET l = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP), c, s;

    memset(&la, 0, sizeof(la));
    la.sin_family = AF_INET;
    la.sin_addr.s_addr = inet_addr("127.0.0.1");
    check("tcp: bind", bind(l, (struct sockaddr *)&la, sizeof(la)) == 0, 0);
    check("tcp: getsockname", getsockname(l, (struct sockaddr *)&la, &len) == 0, len);
    check("tcp: listen", listen(l, 4) == 0, 0);
    check("select: an idle listener is not readable", !ready(l, 'r', 0), 0);

    c = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    check("tcp: FIONBIO", ioctlsocket(c, FIONBIO, &one) == 0, 0);
    n = connect(c, (struct sockaddr *)&la, sizeof(la));
    check("tcp: a non-blocking connect is WSAEWOULDBLOCK",
          n == SOCKET_ERROR && WSAGetLastError() == WSAEWOULDBLOCK, n);
    check("select: the listener becomes readable", ready(l, 'r', 5000), 0);
    s = accept(l, NULL, NULL);
    check("tcp: accept", s != INVALID_SOCKET, (int)s);
    check("select: the connection is made (writable)", ready(c, 'w', 5000), 0);
    check("select: and not exceptional", !ready(c, 'e', 0), 0);

    check("tcp: send the request", send(c, "hello", 5, 0) == 5, 0);
    len = 0;
    while (len < 5) {
        check("select: the server has data", ready(s, 'r', 5000), len);
        n = recv(s, buf + len, 5 - len, 0);
        check("tcp: the server receives", n > 0, n);
        len += n;
    }
    check("tcp: the request arrived whole", !memcmp(buf, "hello", 5), len);
    check("tcp: echo it", send(s, buf, 5, 0) == 5, 0);
    len = 0;
    while (len < 5) {
        check("select: the echo comes back", ready(c, 'r', 5000), len);
        n = recv(c, buf + len, 5 - len, 0);
        check("tcp: the client receives", n > 0, n);
        len += n;
    }
    check("tcp: the echo is the request", !memcmp(buf, "hello", 5), len);
    check("tcp: the client closes", closesocket(c) == 0, 0);
    check("select: the end is readable", ready(s, 'r', 5000), 0);
    check("tcp: and reads 0", recv(s, buf, sizeof(buf), 0) == 0, 0);
    check("tcp: closesocket server side", closesocket(s) == 0, 0);
    check("tcp: closesocket listener", closesocket(l) == 0, 0);
}

static SOCKET bound_udp(struct sockaddr_in *addr)
{
    int len = sizeof(*addr);
    SOCKET s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    check("socket", s != INVALID_SOCKET && s != 0 && (s & 3) == 0, (int)s);
    memset(addr, 0, sizeof(*addr));
    addr->sin_family = AF_INET;
    addr->sin_addr.s_addr = inet_addr("127.0.0.1");
    addr->sin_port = htons(0);
    check("bind", bind(s, (struct sockaddr *)addr, sizeof(*addr)) == 0, 0);
    check("getsockname", getsockname(s, (struct sockaddr *)addr, &len) == 0 && len == 16, len);
    return s;
}

int main(int argc, char **argv)
{
    WSADATA data;
    struct sockaddr_in aa, ba, from;
    int fromlen = sizeof(from), n;
    char buf[64];
    u_long one = 1;
    SOCKET a, b;

    memset(&data, 0, sizeof(data));
    n = WSAStartup(MAKEWORD(2, 2), &data);
    check("WSAStartup", n == 0 && data.wVersion == 0x0202, n);
    a = bound_udp(&aa);
    b = bound_udp(&ba);

    if (argc > 1 && !strcmp(argv[1], "deadlock")) {
        n = recv(b, buf, sizeof(buf), 0);
        printf("recv returned %d, last error %d\n", n, WSAGetLastError());
        return 0;
    }

    n = sendto(a, "ping", 4, 0, (struct sockaddr *)&ba, sizeof(ba));
    check("sendto", n == 4, n);
    n = recvfrom(b, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fromlen);
    check("recvfrom gets ping from a", n == 4 && !memcmp(buf, "ping", 4)
          && from.sin_port == aa.sin_port && fromlen == 16, n);

    n = sendto(a, "0123456789abcdef", 16, 0, (struct sockaddr *)&ba, sizeof(ba));
    check("sendto 16 bytes", n == 16, n);
    n = recv(b, buf, 8, 0);
    check("a truncated datagram is WSAEMSGSIZE", n == SOCKET_ERROR
          && WSAGetLastError() == WSAEMSGSIZE && !memcmp(buf, "01234567", 8), n);

    check("ioctlsocket FIONBIO", ioctlsocket(b, FIONBIO, &one) == 0, 0);
    n = recv(b, buf, sizeof(buf), 0);
    check("a non-blocking receive is WSAEWOULDBLOCK",
          n == SOCKET_ERROR && WSAGetLastError() == WSAEWOULDBLOCK, n);

    select_echo();

    check("closesocket a", closesocket(a) == 0, 0);
    check("closesocket b", closesocket(b) == 0, 0);
    check("closesocket again is WSAENOTSOCK",
          closesocket(b) == SOCKET_ERROR && WSAGetLastError() == WSAENOTSOCK, 0);
    check("WSACleanup", WSACleanup() == 0, 0);
    printf("done\n");
    return 0;
}
