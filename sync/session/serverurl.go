package session

import (
	"errors"
	"net"
	"net/url"
	"strings"
)

// ErrServerURL refuses a server address: https:// is required, except for a
// server on this computer (the demo, tests) or when the person asks for
// plain HTTP on purpose.
var ErrServerURL = errors.New("indirizzo del server non valido: deve iniziare con https:// " +
	"(http:// solo per un server su questo computer, come http://127.0.0.1:8470, o con --allow-http) / " +
	"invalid server address: it must start with https:// " +
	"(http:// only for a server on this computer, such as http://127.0.0.1:8470, or with --allow-http)")

// InsecureWarning is what a person is told when plain HTTP to another
// computer is allowed: records travel sealed, but the device's requests and
// the server's answers can be read and held back on the way.
const InsecureWarning = "attenzione: connessione al server senza TLS (http://): le schede viaggiano cifrate, ma richieste e risposte " +
	"possono essere lette o bloccate lungo la strada; usare https:// appena possibile / " +
	"warning: connection to the server without TLS (http://): records travel encrypted, but requests and answers " +
	"can be read or held back on the way; use https:// as soon as possible"

// ServerURL checks and normalises a server address for enrolment. It
// accepts https:// for any host and http:// for a loopback host (localhost,
// 127.0.0.0/8, ::1); with allowHTTP, http:// for any host, with insecure
// true so the caller warns the person (InsecureWarning).
func ServerURL(raw string, allowHTTP bool) (normalised string, insecure bool, err error) {
	s := strings.TrimRight(strings.TrimSpace(raw), "/")
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", false, ErrServerURL
	}
	switch u.Scheme {
	case "https":
		return s, false, nil
	case "http":
		if isLoopback(u.Hostname()) {
			return s, false, nil
		}
		if allowHTTP {
			return s, true, nil
		}
	}
	return "", false, ErrServerURL
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
