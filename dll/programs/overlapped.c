/* Overlapped Winsock I/O in C (mingw), run by scripts/dll-stage.sh on the
 * model's DLL and on Wine's ws2_32 with the same expected output:
 *
 *   1. UDP: an overlapped WSARecvFrom with an event from WSACreateEvent,
 *      then a datagram sent to it; kernel32's WaitForSingleObject on the
 *      event (a call the DLL never sees) finds it signalled; the buffer,
 *      the sender's address, the OVERLAPPED and WSAGetOverlappedResult
 *      say what arrived;
 *   2. WSAGetOverlappedResult without fWait on a pending receive
 *      (WSA_IO_INCOMPLETE), WSAWaitForMultipleEvents timing out, then the
 *      datagram and WSAWaitForMultipleEvents signalled;
 *   3. a completion routine: not run before an alertable wait, run once
 *      by SleepEx(.., TRUE) with (0, bytes, the OVERLAPPED, 0); its
 *      OVERLAPPED's event untouched;
 *   4. an overlapped WSASend with an event; kernel32's GetOverlappedResult;
 *   5. TCP: an overlapped WSARecv on the accepted socket, the client's
 *      send, WSAWaitForMultipleEvents with INFINITE;
 *   6. closesocket with a receive pending: it ends, aborted;
 *   7. a completion port: a UDP echo server on CreateIoCompletionPort and
 *      GetQueuedCompletionStatus (the receive's and the reply's packets,
 *      their keys, counts and OVERLAPPEDs), a failed receive's packet
 *      (GetQueuedCompletionStatus FALSE with the OVERLAPPED), CancelIoEx,
 *      FILE_SKIP_COMPLETION_PORT_ON_SUCCESS, and closesocket's abort;
 *   8. AcceptEx on a listener with a completion port: the packet when a
 *      client connects, GetAcceptExSockaddrs, SO_UPDATE_ACCEPT_CONTEXT, a
 *      request and its reply on the accepted socket.
 *
 * One line per check; exit 1 on the first surprise. */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>
#include <stdio.h>
#include <string.h>

static void check(const char *what, int ok, long detail)
{
    if (ok) {
        printf("ok   %s\n", what);
    } else {
        printf("FAIL %s: %ld (last error %d)\n", what, detail, WSAGetLastError());
        fflush(stdout);
        exit(1);
    }
}

static SOCKET udp_bound(struct sockaddr_in *a)
{
    int len = sizeof(*a);
    SOCKET s = WSASocketW(AF_INET, SOCK_DGRAM, IPPROTO_UDP, NULL, 0, WSA_FLAG_OVERLAPPED);
    check("udp: WSASocketW", s != INVALID_SOCKET, 0);
    memset(a, 0, sizeof(*a));
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = inet_addr("127.0.0.1");
    check("udp: bind", bind(s, (struct sockaddr *)a, sizeof(*a)) == 0, 0);
    check("udp: getsockname", getsockname(s, (struct sockaddr *)a, &len) == 0, len);
    return s;
}

static int calls, call_error, call_bytes, call_flags;
static WSAOVERLAPPED *call_ovl;

static void CALLBACK routine(DWORD error, DWORD bytes, WSAOVERLAPPED *ov, DWORD flags)
{
    calls++;
    call_error = error;
    call_bytes = bytes;
    call_ovl = ov;
    call_flags = flags;
}

static void udp(void)
{
    struct sockaddr_in ra, sa, from;
    SOCKET r = udp_bound(&ra), s = udp_bound(&sa);
    char buf[32];
    WSABUF wb = { sizeof(buf), buf };
    WSAOVERLAPPED ov;
    WSAEVENT ev = WSACreateEvent();
    DWORD flags = 0, n = 0, got = 0;
    int fromlen = sizeof(from), rc;

    check("WSACreateEvent", ev != WSA_INVALID_EVENT, 0);
    /* 1. */
    memset(&ov, 0, sizeof(ov));
    ov.hEvent = ev;
    memset(buf, 0, sizeof(buf));
    rc = WSARecvFrom(r, &wb, 1, NULL, &flags, (struct sockaddr *)&from, &fromlen, &ov, NULL);
    check("WSARecvFrom overlapped: WSA_IO_PENDING", rc == SOCKET_ERROR && WSAGetLastError() == WSA_IO_PENDING, rc);
    check("pending: Internal is STATUS_PENDING", ov.Internal == 0x103, (long)ov.Internal);
    check("pending: the event is not set", WaitForSingleObject(ev, 0) == WAIT_TIMEOUT, 0);
    check("sendto", sendto(s, "ping", 4, 0, (struct sockaddr *)&ra, sizeof(ra)) == 4, 0);
    check("WaitForSingleObject on the event", WaitForSingleObject(ev, 5000) == WAIT_OBJECT_0, 0);
    check("the bytes are in the buffer", memcmp(buf, "ping", 4) == 0, 0);
    check("Internal is STATUS_SUCCESS", ov.Internal == 0, (long)ov.Internal);
    check("InternalHigh is the byte count", ov.InternalHigh == 4, (long)ov.InternalHigh);
    check("lpFrom is the sender", fromlen == sizeof(from) && from.sin_port == sa.sin_port, fromlen);
    check("WSAGetOverlappedResult", WSAGetOverlappedResult(r, &ov, &got, FALSE, &n) && got == 4 && n == 0, got);

    /* 2. */
    WSAResetEvent(ev);
    memset(&ov, 0, sizeof(ov));
    ov.hEvent = ev;
    rc = WSARecv(r, &wb, 1, NULL, &flags, &ov, NULL);
    check("WSARecv overlapped: WSA_IO_PENDING", rc == SOCKET_ERROR && WSAGetLastError() == WSA_IO_PENDING, rc);
    check("WSAGetOverlappedResult without fWait: WSA_IO_INCOMPLETE",
          !WSAGetOverlappedResult(r, &ov, &got, FALSE, &n) && WSAGetLastError() == WSA_IO_INCOMPLETE, 0);
    check("WSAWaitForMultipleEvents times out",
          WSAWaitForMultipleEvents(1, &ev, FALSE, 50, FALSE) == WSA_WAIT_TIMEOUT, 0);
    check("sendto", sendto(s, "second", 6, 0, (struct sockaddr *)&ra, sizeof(ra)) == 6, 0);
    check("WSAWaitForMultipleEvents: the event",
          WSAWaitForMultipleEvents(1, &ev, FALSE, 5000, FALSE) == WSA_WAIT_EVENT_0, 0);
    check("WSAGetOverlappedResult with fWait",
          WSAGetOverlappedResult(r, &ov, &got, TRUE, &n) && got == 6 && memcmp(buf, "second", 6) == 0, got);

    /* 3. */
    WSAResetEvent(ev);
    memset(&ov, 0, sizeof(ov));
    ov.hEvent = ev;
    rc = WSARecv(r, &wb, 1, NULL, &flags, &ov, routine);
    check("WSARecv with a routine: WSA_IO_PENDING", rc == SOCKET_ERROR && WSAGetLastError() == WSA_IO_PENDING, rc);
    check("sendto", sendto(s, "routine", 7, 0, (struct sockaddr *)&ra, sizeof(ra)) == 7, 0);
    check("not run outside an alertable wait", calls == 0, calls);
    check("SleepEx alertable: WAIT_IO_COMPLETION", SleepEx(5000, TRUE) == WAIT_IO_COMPLETION, 0);
    check("the routine ran once", calls == 1, calls);
    check("its arguments", call_error == 0 && call_bytes == 7 && call_ovl == &ov && call_flags == 0, call_bytes);
    check("the bytes are in the buffer", memcmp(buf, "routine", 7) == 0, 0);
    check("its event is untouched", WaitForSingleObject(ev, 0) == WAIT_TIMEOUT, 0);

    /* 4. */
    memset(&ov, 0, sizeof(ov));
    ov.hEvent = ev;
    rc = WSASendTo(s, &wb, 1, NULL, 0, (struct sockaddr *)&ra, sizeof(ra), &ov, NULL);
    check("WSASendTo overlapped", rc == 0 || (rc == SOCKET_ERROR && WSAGetLastError() == WSA_IO_PENDING), rc);
    check("kernel32 GetOverlappedResult", GetOverlappedResult((HANDLE)s, &ov, &got, TRUE) && got == sizeof(buf), got);
    check("the datagram arrived", recv(r, buf, sizeof(buf), 0) == sizeof(buf), 0);

    /* 6. */
    memset(&ov, 0, sizeof(ov));
    ov.hEvent = ev;
    WSAResetEvent(ev);
    rc = WSARecv(r, &wb, 1, NULL, &flags, &ov, NULL);
    check("WSARecv overlapped: WSA_IO_PENDING", rc == SOCKET_ERROR && WSAGetLastError() == WSA_IO_PENDING, rc);
    check("closesocket", closesocket(r) == 0, 0);
    check("the receive ended", WaitForSingleObject(ev, 5000) == WAIT_OBJECT_0, 0);
    check("it was aborted", ov.Internal != 0 && ov.Internal != 0x103, (long)ov.Internal);
    closesocket(s);
    WSACloseEvent(ev);
}

static void tcp(void)
{
    struct sockaddr_in la;
    int len = sizeof(la), rc;
    SOCKET l = WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED), c, a;
    char buf[32];
    WSABUF wb = { sizeof(buf), buf };
    WSAOVERLAPPED ov;
    WSAEVENT ev = WSACreateEvent();
    DWORD flags = 0, got = 0, n = 0;

    memset(&la, 0, sizeof(la));
    la.sin_family = AF_INET;
    la.sin_addr.s_addr = inet_addr("127.0.0.1");
    check("tcp: bind", bind(l, (struct sockaddr *)&la, sizeof(la)) == 0, 0);
    check("tcp: getsockname", getsockname(l, (struct sockaddr *)&la, &len) == 0, len);
    check("tcp: listen", listen(l, 4) == 0, 0);
    c = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    check("tcp: connect", connect(c, (struct sockaddr *)&la, sizeof(la)) == 0, 0);
    a = accept(l, NULL, NULL);
    check("tcp: accept", a != INVALID_SOCKET, 0);
    memset(&ov, 0, sizeof(ov));
    ov.hEvent = ev;
    rc = WSARecv(a, &wb, 1, NULL, &flags, &ov, NULL);
    check("tcp: WSARecv overlapped: WSA_IO_PENDING", rc == SOCKET_ERROR && WSAGetLastError() == WSA_IO_PENDING, rc);
    check("tcp: send", send(c, "hello", 5, 0) == 5, 0);
    check("tcp: WSAWaitForMultipleEvents INFINITE",
          WSAWaitForMultipleEvents(1, &ev, FALSE, WSA_INFINITE, FALSE) == WSA_WAIT_EVENT_0, 0);
    /* (A stream receive may take fewer bytes than were sent: the model's
     * seed gives such short reads.) */
    check("tcp: WSAGetOverlappedResult",
          WSAGetOverlappedResult(a, &ov, &got, FALSE, &n) && got >= 1 && got <= 5 && memcmp(buf, "hello", got) == 0, 0);
    closesocket(c);
    closesocket(a);
    closesocket(l);
    WSACloseEvent(ev);
}

static void iocp(void)
{
    struct sockaddr_in sa, ca, from;
    SOCKET srv = udp_bound(&sa), cli = udp_bound(&ca);
    HANDLE port;
    char buf[32], reply[32];
    WSABUF wb = { sizeof(buf), buf };
    WSAOVERLAPPED rov, sov, *got;
    DWORD flags = 0, n = 0;
    ULONG_PTR key = 0;
    int fromlen = sizeof(from), rc, i;
    BOOL ok;

    port = CreateIoCompletionPort((HANDLE)srv, NULL, 77, 0);
    check("iocp: CreateIoCompletionPort on a socket", port != NULL, GetLastError());
    check("iocp: a second association fails", CreateIoCompletionPort((HANDLE)srv, port, 78, 0) == NULL, 0);
    for (i = 0; i < 3; i++) {
        memset(&rov, 0, sizeof(rov));
        fromlen = sizeof(from);
        rc = WSARecvFrom(srv, &wb, 1, NULL, &flags, (struct sockaddr *)&from, &fromlen, &rov, NULL);
        check("iocp: WSARecvFrom pending", rc == SOCKET_ERROR && WSAGetLastError() == WSA_IO_PENDING, rc);
        sprintf(reply, "echo %d", i);
        check("iocp: client sendto", sendto(cli, reply, 7, 0, (struct sockaddr *)&sa, sizeof(sa)) == 7, 0);
        got = NULL;
        ok = GetQueuedCompletionStatus(port, &n, &key, &got, 5000);
        check("iocp: the receive's packet", ok && key == 77 && n == 7 && got == &rov, n);
        check("iocp: the bytes and the sender", memcmp(buf, reply, 7) == 0 && from.sin_port == ca.sin_port, 0);
        memset(&sov, 0, sizeof(sov));
        wb.len = n;
        rc = WSASendTo(srv, &wb, 1, NULL, 0, (struct sockaddr *)&from, fromlen, &sov, NULL);
        wb.len = sizeof(buf);
        check("iocp: WSASendTo", rc == 0 || WSAGetLastError() == WSA_IO_PENDING, rc);
        got = NULL;
        ok = GetQueuedCompletionStatus(port, &n, &key, &got, 5000);
        check("iocp: the reply's packet", ok && key == 77 && n == 7 && got == &sov, n);
        check("iocp: the client has the echo", recv(cli, reply, sizeof(reply), 0) == 7 && memcmp(reply, buf, 7) == 0, 0);
    }
    check("iocp: no packet left", !GetQueuedCompletionStatus(port, &n, &key, &got, 0) && GetLastError() == WAIT_TIMEOUT && got == NULL, 0);

    /* A receive that fails: the packet says so. */
    memset(&rov, 0, sizeof(rov));
    rc = WSARecv(srv, &wb, 1, NULL, &flags, &rov, NULL);
    check("iocp: WSARecv pending", rc == SOCKET_ERROR && WSAGetLastError() == WSA_IO_PENDING, rc);
    check("iocp: CancelIoEx", CancelIoEx((HANDLE)srv, &rov), GetLastError());
    got = NULL;
    ok = GetQueuedCompletionStatus(port, &n, &key, &got, 5000);
    check("iocp: the cancelled receive's packet", !ok && GetLastError() == ERROR_OPERATION_ABORTED && got == &rov && n == 0, GetLastError());
    check("iocp: CancelIoEx with nothing pending", !CancelIoEx((HANDLE)srv, &rov) && GetLastError() == ERROR_NOT_FOUND, GetLastError());

    /* FILE_SKIP_COMPLETION_PORT_ON_SUCCESS: a receive that completes at
     * once queues no packet; one that pends does. */
    check("iocp: SetFileCompletionNotificationModes",
          SetFileCompletionNotificationModes((HANDLE)srv, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS), GetLastError());
    check("iocp: client sendto", sendto(cli, "skip", 4, 0, (struct sockaddr *)&sa, sizeof(sa)) == 4, 0);
    Sleep(100);
    memset(&rov, 0, sizeof(rov));
    rc = WSARecv(srv, &wb, 1, &n, &flags, &rov, NULL);
    got = NULL;
    ok = GetQueuedCompletionStatus(port, &n, &key, &got, rc == 0 ? 0 : 5000);
    check("iocp: a packet only for a receive that pended", rc == 0 ? (!ok && got == NULL) : (ok && got == &rov), rc);

    /* closesocket with a receive pending: its packet, aborted. */
    memset(&rov, 0, sizeof(rov));
    rc = WSARecv(srv, &wb, 1, NULL, &flags, &rov, NULL);
    check("iocp: WSARecv pending", rc == SOCKET_ERROR && WSAGetLastError() == WSA_IO_PENDING, rc);
    check("iocp: closesocket", closesocket(srv) == 0, 0);
    got = NULL;
    ok = GetQueuedCompletionStatus(port, &n, &key, &got, 5000);
    check("iocp: the aborted receive's packet", !ok && got == &rov, GetLastError());
    closesocket(cli);
    CloseHandle(port);
}

/* n bytes from a stream (the model's seed may split a receive). */
static int recv_all(SOCKET s, char *buf, int n)
{
    int got = 0, r;
    while (got < n && (r = recv(s, buf + got, n - got, 0)) > 0) got += r;
    return got;
}

static void accept_ex(void)
{
    GUID gacc = WSAID_ACCEPTEX, gaddrs = WSAID_GETACCEPTEXSOCKADDRS;
    LPFN_ACCEPTEX pAcceptEx = NULL;
    LPFN_GETACCEPTEXSOCKADDRS pGetAddrs = NULL;
    struct sockaddr_in la, ca, *lp = NULL, *rp = NULL;
    int len = sizeof(la), llen = 0, rlen = 0;
    SOCKET l = WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED), a, c;
    char buf[2 * (sizeof(struct sockaddr_in) + 16)], got[16];
    WSAOVERLAPPED ov, *po;
    DWORD n = 0;
    ULONG_PTR key = 0;
    HANDLE port;
    BOOL ok;

    check("acceptex: the function",
          WSAIoctl(l, SIO_GET_EXTENSION_FUNCTION_POINTER, &gacc, sizeof(gacc), &pAcceptEx, sizeof(pAcceptEx), &n, NULL, NULL) == 0, 0);
    check("acceptex: GetAcceptExSockaddrs",
          WSAIoctl(l, SIO_GET_EXTENSION_FUNCTION_POINTER, &gaddrs, sizeof(gaddrs), &pGetAddrs, sizeof(pGetAddrs), &n, NULL, NULL) == 0, 0);
    memset(&la, 0, sizeof(la));
    la.sin_family = AF_INET;
    la.sin_addr.s_addr = inet_addr("127.0.0.1");
    check("acceptex: bind", bind(l, (struct sockaddr *)&la, sizeof(la)) == 0, 0);
    check("acceptex: getsockname", getsockname(l, (struct sockaddr *)&la, &len) == 0, 0);
    check("acceptex: listen", listen(l, 4) == 0, 0);
    port = CreateIoCompletionPort((HANDLE)l, NULL, 5, 0);
    check("acceptex: CreateIoCompletionPort", port != NULL, GetLastError());
    a = WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED);
    memset(&ov, 0, sizeof(ov));
    ok = pAcceptEx(l, a, buf, 0, sizeof(struct sockaddr_in) + 16, sizeof(struct sockaddr_in) + 16, &n, &ov);
    check("acceptex: pending", !ok && WSAGetLastError() == ERROR_IO_PENDING, WSAGetLastError());
    c = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    check("acceptex: connect", connect(c, (struct sockaddr *)&la, sizeof(la)) == 0, 0);
    len = sizeof(ca);
    check("acceptex: the client's name", getsockname(c, (struct sockaddr *)&ca, &len) == 0, 0);
    po = NULL;
    ok = GetQueuedCompletionStatus(port, &n, &key, &po, 5000);
    check("acceptex: the packet", ok && key == 5 && n == 0 && po == &ov, GetLastError());
    pGetAddrs(buf, 0, sizeof(struct sockaddr_in) + 16, sizeof(struct sockaddr_in) + 16,
              (struct sockaddr **)&lp, &llen, (struct sockaddr **)&rp, &rlen);
    check("acceptex: the remote address", rp && rlen == sizeof(ca) && rp->sin_port == ca.sin_port, rlen);
    check("acceptex: the local address", lp && llen == sizeof(la) && lp->sin_port == la.sin_port, llen);
    check("acceptex: SO_UPDATE_ACCEPT_CONTEXT",
          setsockopt(a, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT, (char *)&l, sizeof(l)) == 0, 0);
    check("acceptex: request", send(c, "req", 3, 0) == 3, 0);
    check("acceptex: the accepted socket has it", recv_all(a, got, 3) == 3 && memcmp(got, "req", 3) == 0, 0);
    check("acceptex: reply", send(a, "rep", 3, 0) == 3, 0);
    check("acceptex: the client has it", recv_all(c, got, 3) == 3 && memcmp(got, "rep", 3) == 0, 0);
    closesocket(c);
    closesocket(a);
    closesocket(l);
    CloseHandle(port);
}

int main(void)
{
    WSADATA wsa;
    check("WSAStartup", WSAStartup(MAKEWORD(2, 2), &wsa) == 0, 0);
    udp();
    tcp();
    iocp();
    accept_ex();
    check("WSACleanup", WSACleanup() == 0, 0);
    printf("done\n");
    return 0;
}
