// A program on Go's net package alone, as downstream code is written: it
// knows nothing of the model. scripts/dll-stage.sh cross-builds it with
// Debian's Go (GOOS=windows) and runs it under Wine on the model's
// ws2_32.dll and on Wine's own ws2_32. Go's net package does all its
// socket I/O overlapped on one completion port of the runtime's
// (runtime/netpoll_windows.go), so this is the completion-port path: a
// read deadline is a runtime timer that ends in CancelIoEx, a read is a
// WSARecv/WSARecvFrom whose packet the netpoller takes from
// GetQueuedCompletionStatusEx on some OS thread, an accept is AcceptEx,
// a dial ConnectEx.
//
// The TCP sockets are "tcp" (not "tcp4"): for those alone Go asks
// SetFileCompletionNotificationModes for FILE_SKIP_COMPLETION_PORT_ON_SUCCESS
// (internal/poll/fd_windows.go), so an operation that completes at once
// gives no packet, the path Go takes on Windows.
//
// It prints one line per check (no port numbers, so the output is the
// same on every implementation) and exits with 1 on the first surprise.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"
)

func check(what string, ok bool, detail ...interface{}) {
	if ok {
		fmt.Printf("ok   %s\n", what)
		return
	}
	fmt.Printf("FAIL %s: %v\n", what, detail)
	os.Exit(1)
}

func main() {
	udp()
	tcp()
	fmt.Println("done")
}

func udp() {
	a, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	check("udp: a bound", err == nil, err)
	b, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	check("udp: b bound", err == nil, err)
	aa, ba := a.LocalAddr().(*net.UDPAddr), b.LocalAddr().(*net.UDPAddr)
	check("udp: ephemeral ports", aa.Port != 0 && ba.Port != 0 && aa.Port != ba.Port, aa, ba)

	// Nothing is sent to a: its read ends at the deadline.
	buf := make([]byte, 64)
	start := time.Now()
	check("udp: a read deadline set", a.SetReadDeadline(start.Add(100*time.Millisecond)) == nil)
	n, from, err := a.ReadFromUDP(buf)
	var ne net.Error
	check("udp: the read times out with a net.Error whose Timeout() is true",
		n == 0 && from == nil && errors.As(err, &ne) && ne.Timeout(), n, from, err)
	check("udp: the time-out is os.ErrDeadlineExceeded", errors.Is(err, os.ErrDeadlineExceeded), err)
	check("udp: not before the deadline", time.Since(start) >= 100*time.Millisecond, time.Since(start))

	// A round trip: a -> b -> a, each read with a deadline that does not pass.
	check("udp: a deadline further off", a.SetReadDeadline(time.Now().Add(10*time.Second)) == nil)
	check("udp: b deadline", b.SetReadDeadline(time.Now().Add(10*time.Second)) == nil)
	n, err = a.WriteToUDP([]byte("ping"), ba)
	check("udp: a sends ping to b", n == 4 && err == nil, n, err)
	n, from, err = b.ReadFromUDP(buf)
	check("udp: b receives ping from a", err == nil && string(buf[:n]) == "ping" && from.Port == aa.Port, n, from, err)
	n, err = b.WriteToUDP(buf[:n], from)
	check("udp: b echoes it", n == 4 && err == nil, n, err)
	n, from, err = a.ReadFromUDP(buf)
	check("udp: a receives the echo from b", err == nil && string(buf[:n]) == "ping" && from.Port == ba.Port, n, from, err)
	check("udp: a closed", a.Close() == nil)
	check("udp: b closed", b.Close() == nil)
}

func tcp() {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	check("tcp: listening", err == nil, err)
	type result struct {
		n   int64
		err error
	}
	served := make(chan result, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			served <- result{0, err}
			return
		}
		// Echo until the client closes its side.
		n, err := io.Copy(c, c)
		if cerr := c.Close(); err == nil {
			err = cerr
		}
		served <- result{n, err}
	}()

	c, err := net.DialTimeout("tcp", l.Addr().String(), 10*time.Second)
	check("tcp: dialled the listener", err == nil, err)
	check("tcp: the peer is the listener",
		c.RemoteAddr().(*net.TCPAddr).Port == l.Addr().(*net.TCPAddr).Port, c.RemoteAddr(), l.Addr())
	check("tcp: a deadline", c.SetDeadline(time.Now().Add(10*time.Second)) == nil)
	msg := bytes.Repeat([]byte("echo "), 1000)
	n, err := c.Write(msg)
	check("tcp: 5000 bytes written", n == len(msg) && err == nil, n, err)
	back := make([]byte, len(msg))
	_, err = io.ReadFull(c, back)
	check("tcp: the same 5000 bytes read back", err == nil && bytes.Equal(back, msg), err)
	check("tcp: the write side closed", c.(*net.TCPConn).CloseWrite() == nil)
	rest, err := io.ReadAll(c)
	check("tcp: then end of stream", err == nil && len(rest) == 0, len(rest), err)
	r := <-served
	check("tcp: the server echoed 5000 bytes and closed", r.err == nil && r.n == int64(len(msg)), r.n, r.err)
	check("tcp: client closed", c.Close() == nil)
	check("tcp: listener closed", l.Close() == nil)
}
