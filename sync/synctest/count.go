package synctest

import (
	"net"
	"sync/atomic"
)

// CountingListener counts every byte the server reads and writes on its
// connections: what goes on the wire, headers and framing included (TLS
// aside).
type CountingListener struct {
	net.Listener
	In, Out atomic.Int64
}

// Accept wraps each connection.
func (l *CountingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: c, l: l}, nil
}

// Reset zeroes the counters.
func (l *CountingListener) Reset() { l.In.Store(0); l.Out.Store(0) }

// Total is bytes in plus bytes out.
func (l *CountingListener) Total() int64 { return l.In.Load() + l.Out.Load() }

type countingConn struct {
	net.Conn
	l *CountingListener
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.l.In.Add(int64(n))
	return n, err
}

func (c *countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.l.Out.Add(int64(n))
	return n, err
}
