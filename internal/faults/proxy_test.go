package faults

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
)

// proxy forwards TCP connections from 127.0.0.1 to PostgreSQL, reading the
// server's side message by message so a test can act at an exact point of
// the protocol. It counts the connections it accepted.
type proxy struct {
	t        *testing.T
	ln       net.Listener
	target   string
	accepted atomic.Int64
	// hook, when set, sees each message from PostgreSQL before it is
	// forwarded and says whether to forward it.
	hook  atomic.Pointer[messageHook]
	mu    sync.Mutex
	conns []net.Conn
}

// messageHook sees a message's type and body and its session's backend pid.
type messageHook func(typ byte, body []byte, pid uint32) bool

func startProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{t: t, ln: ln, target: target}
	t.Cleanup(p.close)
	go p.accept()
	return p
}

func (p *proxy) addr() string { return p.ln.Addr().String() }

func (p *proxy) close() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
}

func (p *proxy) accept() {
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.accepted.Add(1)
		server, err := net.Dial("tcp", p.target)
		if err != nil {
			client.Close() // the database is away: the client sees EOF
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, client, server)
		p.mu.Unlock()
		go func() {
			_, _ = io.Copy(server, client)
			server.Close()
		}()
		go func() {
			p.relay(client, server)
			client.Close()
		}()
	}
}

// relay copies PostgreSQL's messages to the client one by one. The session
// starts without SSL (sslmode=disable), so every message is typed.
func (p *proxy) relay(client, server net.Conn) {
	r := bufio.NewReader(server)
	var pid uint32
	head := make([]byte, 5)
	for {
		if _, err := io.ReadFull(r, head); err != nil {
			return
		}
		n := int(binary.BigEndian.Uint32(head[1:])) - 4
		if n < 0 {
			return
		}
		body := make([]byte, n)
		if _, err := io.ReadFull(r, body); err != nil {
			return
		}
		if head[0] == 'K' && n >= 4 {
			pid = binary.BigEndian.Uint32(body)
		}
		if h := p.hook.Load(); h != nil && !(*h)(head[0], body, pid) {
			continue
		}
		if _, err := client.Write(append(head, body...)); err != nil && !errors.Is(err, net.ErrClosed) {
			return
		}
	}
}
