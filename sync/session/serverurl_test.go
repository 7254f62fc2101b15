package session_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"sinba/sync/client"
	"sinba/sync/coord"
	"sinba/sync/session"
	"sinba/sync/synctest"
)

// Finding 10: http:// was accepted for any host, with no warning, while the
// message said "must start with https://". Now https:// is required except
// for a server on this computer, or when the person asks for plain HTTP.
func TestServerURLRequiresHTTPSForOtherComputers(t *testing.T) {
	cases := []struct {
		raw       string
		allowHTTP bool
		ok, warn  bool
	}{
		{"https://sinba.example.it/", false, true, false},
		{"https://10.0.0.5:8470", false, true, false},
		{"http://127.0.0.1:8470", false, true, false},
		{"http://localhost:8470", false, true, false},
		{"http://[::1]:8470", false, true, false},
		{"http://sinba.example.it", false, false, false},
		{"http://10.0.0.5:8470", false, false, false},
		{"http://127.0.0.1.example.com", false, false, false},
		{"http://10.0.0.5:8470", true, true, true},
		{"ftp://sinba.example.it", true, false, false},
		{"sinba.example.it", false, false, false},
		{"https://user:pw@sinba.example.it", false, false, false},
	}
	for _, c := range cases {
		got, insecure, err := session.ServerURL(c.raw, c.allowHTTP)
		if (err == nil) != c.ok || insecure != c.warn {
			t.Errorf("ServerURL(%q, %v) = %q, insecure %v, %v; want ok %v, warn %v", c.raw, c.allowHTTP, got, insecure, err, c.ok, c.warn)
		}
		if err != nil && (!errors.Is(err, session.ErrServerURL) || !strings.Contains(err.Error(), "http:// solo per un server su questo computer")) {
			t.Errorf("ServerURL(%q): message %q does not state the rule", c.raw, err)
		}
	}
	// Both apps' enrolments apply the rule before anything is sent.
	ctx := context.Background()
	laptop := client.New(synctest.Laptop(t, t.TempDir()), client.Options{})
	if _, err := laptop.Enrol(ctx, "http://sinba.example.it", "AAAAA-AAAAA"); !errors.Is(err, session.ErrServerURL) {
		t.Fatalf("a laptop enrolling over http:// to another computer: %v, want ErrServerURL", err)
	}
	coordinator := coord.New(synctest.Laptop(t, t.TempDir()), coord.Options{})
	if _, err := coordinator.Enrol(ctx, "http://sinba.example.it", "AAAAA-AAAAA"); !errors.Is(err, session.ErrServerURL) {
		t.Fatalf("a coordinator enrolling over http:// to another computer: %v, want ErrServerURL", err)
	}
}
