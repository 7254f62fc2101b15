package server_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"sinba/sync/server"
	"sinba/sync/synctest"
	"sinba/sync/wire"
)

// forgedHeaders are the authentication headers of a request that claims to
// be device id, with a well-formed but wrong signature.
func forgedHeaders(id string) http.Header {
	var nonce [16]byte
	_, _ = rand.Read(nonce[:])
	sig := make([]byte, 64)
	_, _ = rand.Read(sig)
	h := http.Header{}
	h.Set(wire.HeaderProtocol, "1")
	h.Set(wire.HeaderDevice, id)
	h.Set(wire.HeaderTimestamp, fmt.Sprint(time.Now().Unix()))
	h.Set(wire.HeaderNonce, hex.EncodeToString(nonce[:]))
	h.Set(wire.HeaderContentSHA256, strings.Repeat("ab", 32))
	h.Set(wire.HeaderSignature, base64.StdEncoding.EncodeToString(sig))
	return h
}

// openUpload opens a real TCP connection to the server and sends the head of
// a request whose body of length bytes is still to come.
func openUpload(t *testing.T, base, method, path string, h http.Header, length int) net.Conn {
	t.Helper()
	u, _ := url.Parse(base)
	c, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", method, path, u.Host, length)
	for k, vs := range h {
		for _, v := range vs {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	b.WriteString("\r\n")
	if _, err := c.Write([]byte(b.String())); err != nil {
		t.Fatal(err)
	}
	return c
}

// trickle sends one byte every interval until the connection breaks or the
// test ends.
func trickle(t *testing.T, c net.Conn, interval time.Duration) {
	done := make(chan struct{})
	t.Cleanup(func() { close(done) })
	go func() {
		for {
			select {
			case <-done:
				return
			case <-time.After(interval):
			}
			if _, err := c.Write([]byte("x")); err != nil {
				return
			}
		}
	}()
}

// answerOf reads the status of the answer on c within wait; 0 if none came.
func answerOf(c net.Conn, wait time.Duration) int {
	_ = c.SetReadDeadline(time.Now().Add(wait))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// Finding 2: four uploads at a byte a second with a forged signature and a
// known device id took every batch slot, so honest batches got 503 for the
// whole read timeout. Now a forged request is refused from its headers and
// holds no slot.
func TestSlowForgedUploadsHoldNoSlot(t *testing.T) {
	ctx := context.Background()
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{MaxInFlight: 4, QueueWait: time.Second})
	victim := p.EnrolDevice(t, p.TeamA)
	honest := p.EnrolDevice(t, p.TeamA)
	var forged []net.Conn
	for range 4 {
		c := openUpload(t, p.URL, "POST", wire.PathBatches, forgedHeaders(victim.ID), 1<<20)
		trickle(t, c, 200*time.Millisecond)
		forged = append(forged, c)
	}
	time.Sleep(300 * time.Millisecond) // the server has read every head
	revs, _ := synctest.Revisions(2, synctest.MunicipalityA, honest.Project, honest.Ident.Recipient())
	body, _ := wire.EncodeBatch(&wire.Batch{Version: wire.Version, ID: uuid.NewString(), Revisions: revs})
	status, data, err := honest.Do(ctx, "POST", wire.PathBatches, body)
	if err != nil || status != http.StatusOK {
		t.Fatalf("honest batch beside four slow forged uploads: HTTP %d %s %v, want 200", status, data, err)
	}
	for i, c := range forged {
		if got := answerOf(c, 2*time.Second); got != http.StatusUnauthorized {
			t.Errorf("forged upload %d: answer %d, want 401 before its body", i, got)
		}
	}
}

// forge sends n GET requests to url with forged signatures claiming id,
// from addr as a trusted proxy names it, and returns how many were
// rate-limited; any answer but 401 or 429 fails the test.
func forge(t *testing.T, url, id, addr string, n int) (limited int) {
	t.Helper()
	for range n {
		r, _ := http.NewRequest("GET", url, nil)
		r.Header = forgedHeaders(id)
		r.Header.Set("X-Forwarded-For", addr)
		switch got := send(t, r); got.status {
		case http.StatusTooManyRequests:
			limited++
		case http.StatusUnauthorized:
		default:
			t.Fatalf("forged request: HTTP %d %q", got.status, got.code)
		}
	}
	return limited
}

// Finding 3: the per-device rate limit counted requests by the unverified
// Sinba-Device header, so anyone could lock a device out. Now only verified
// requests count against a device; forged ones count against their address.
func TestForgedRequestsDoNotDrainADevicesBucket(t *testing.T) {
	p := synctest.NewProject(t, t.TempDir())
	// The server is behind a proxy on loopback: the attacker and the
	// laptop come from different addresses.
	p.Serve(t, server.Config{DeviceRate: 0.01, DeviceBurst: 10, UnauthRate: 0.01, UnauthBurst: 5,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	d := p.EnrolDevice(t, p.TeamA)
	from := func(r *http.Request, addr string) *http.Request {
		r.Header.Set("X-Forwarded-For", addr)
		return r
	}
	if limited := forge(t, p.URL+wire.PathChanges, d.ID, "203.0.113.9", 40); limited < 30 {
		t.Errorf("only %d of 40 forged requests from one address were rate-limited", limited)
	}
	for i := range 10 {
		got := send(t, from(signedReq(d, "GET", wire.PathChanges, nil, time.Now())(), "198.51.100.4"))
		if got.status != http.StatusOK {
			t.Fatalf("honest request %d after 40 forged ones: HTTP %d %q, want 200", i, got.status, got.code)
		}
	}
	// The device's own eleventh request is over its burst.
	if got := send(t, from(signedReq(d, "GET", wire.PathChanges, nil, time.Now())(), "198.51.100.4")); got.status != http.StatusTooManyRequests {
		t.Fatalf("the device's own request past its burst: HTTP %d, want 429", got.status)
	}
}

// Finding 4: the coordinators' endpoints read up to 4 MiB before checking
// the signature, with no cap on how many at once. Now a forged request is
// answered from its headers, and a verified coordinator has at most
// SignerInFlight requests at once.
func TestCoordinatorPathsCheckTheSignatureFirstAndAreCapped(t *testing.T) {
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{EnrolRate: 100, EnrolBurst: 100, UnauthBurst: 1000, SignerInFlight: 2})
	c := enrolCoordinator(t, p)
	var forged []net.Conn
	for range 20 {
		forged = append(forged, openUpload(t, p.URL, "POST", wire.PathCoordInstruments, forgedHeaders(c.ID), 4<<20))
	}
	for i, conn := range forged {
		if got := answerOf(conn, 2*time.Second); got != http.StatusUnauthorized {
			t.Fatalf("forged coordinator upload %d: answer %d, want 401 without its body", i, got)
		}
	}
	// Two slow uploads with valid signatures are the coordinator's share;
	// a third is refused at once.
	body := []byte(`{"body":"` + strings.Repeat("A", 1000) + `"}`)
	slow := func() net.Conn {
		path := synctest.WithKey(wire.PathCoordInstruments, uuid.NewString())
		r, _ := http.NewRequest("POST", p.URL+path, nil)
		wire.Sign(r, c.ID, c.Key, body, time.Now())
		return openUpload(t, p.URL, "POST", path, r.Header, len(body))
	}
	a, b := slow(), slow()
	time.Sleep(200 * time.Millisecond)
	third := slow()
	if got := answerOf(third, 2*time.Second); got != http.StatusTooManyRequests {
		t.Fatalf("third slow upload of one coordinator: answer %d, want 429", got)
	}
	a.Close()
	b.Close()
}

// restart closes the fixture's server and store and serves the same data
// folder again on the same address, as after a restart of sinba-server.
func restart(t *testing.T, p *synctest.Project, cfg server.Config) {
	t.Helper()
	addr := p.HTTP.Listener.Addr().String()
	p.HTTP.Close()
	if err := p.Store.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := server.Open(p.Database)
	if err != nil {
		t.Fatal(err)
	}
	p.Store = st // closed by the fixture's clean-up
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("the old port is taken: %v", err)
	}
	hs := &http.Server{Handler: server.New(st, cfg, nil)}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
}

// Finding 6: nonces lived in memory only, so a request captured within the
// clock window could be replayed after a restart.
func TestReplayAfterRestartIsRefused(t *testing.T) {
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{})
	d := p.EnrolDevice(t, p.TeamA)
	captured := signedReq(d, "GET", wire.PathChanges, nil, time.Now())
	if got := send(t, captured()); got.status != 200 {
		t.Fatalf("first request: HTTP %d", got.status)
	}
	restart(t, p, server.Config{})
	if got := send(t, captured()); got.status != 401 || got.code != wire.CodeReplay {
		t.Fatalf("replay after a restart: HTTP %d %q, want 401 %q", got.status, got.code, wire.CodeReplay)
	}
}

// countRows counts the rows of a table of the server's database.
func countRows(t *testing.T, p *synctest.Project, table string) int {
	t.Helper()
	var n int
	if err := p.DB(t).QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Finding 6: a captured coordinator's code request replayed after a restart
// minted a new enrolment code. Now the nonce survives the restart, and a
// request sent again with the same idempotency key (a retry, or a replay
// once its nonce has expired) gets the first code and mints nothing.
func TestReplayedCoordinatorCodeRequestMintsNothing(t *testing.T) {
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{EnrolRate: 100, EnrolBurst: 100})
	c := enrolCoordinator(t, p)
	rid, err := p.Store.CreateResearcher(context.Background(), p.TeamA, "Rilevatrice")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(wire.CodeRequest{Researcher: rid})
	path := synctest.WithKey(wire.PathCoordCodes, uuid.NewString())
	codeOf := func(req *http.Request) (int, string) {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var cr wire.CodeResponse
		_ = json.NewDecoder(resp.Body).Decode(&cr)
		return resp.StatusCode, cr.Code
	}
	sign := func(body []byte) func() *http.Request {
		base, _ := http.NewRequest("POST", p.URL+path, nil)
		wire.Sign(base, c.ID, c.Key, body, time.Now())
		return func() *http.Request {
			r, _ := http.NewRequest("POST", p.URL+path, strings.NewReader(string(body)))
			r.Header = base.Header.Clone()
			return r
		}
	}
	captured := sign(body)
	status, first := codeOf(captured())
	if status != 200 || first == "" {
		t.Fatalf("code request: HTTP %d", status)
	}
	codes := countRows(t, p, "enrol_codes")
	restart(t, p, server.Config{EnrolRate: 100, EnrolBurst: 100})
	if got := send(t, captured()); got.status != 401 || got.code != wire.CodeReplay {
		t.Fatalf("replay after a restart: HTTP %d %q, want 401 %q", got.status, got.code, wire.CodeReplay)
	}
	// Signed anew (a retry, or a replay past the clock window): the same code.
	if status, again := codeOf(sign(body)()); status != 200 || again != first {
		t.Fatalf("the same request sent again: HTTP %d code %q, want the first code %q", status, again, first)
	}
	if n := countRows(t, p, "enrol_codes"); n != codes {
		t.Fatalf("%d enrolment codes after the request came again, want %d", n, codes)
	}
	// The key with another request is refused; a write without a key too.
	other, _ := json.Marshal(wire.CodeRequest{Coordinator: true})
	if got := send(t, sign(other)()); got.status != 409 || got.code != wire.CodeConflict {
		t.Fatalf("the key with another request: HTTP %d %q, want 409 %q", got.status, got.code, wire.CodeConflict)
	}
	noKey, _ := http.NewRequest("POST", p.URL+wire.PathCoordCodes, strings.NewReader(string(body)))
	wire.Sign(noKey, c.ID, c.Key, body, time.Now())
	if got := send(t, noKey); got.status != 400 || got.code != wire.CodeInvalid {
		t.Fatalf("a code request without a key: HTTP %d %q, want 400 %q", got.status, got.code, wire.CodeInvalid)
	}
	if n := countRows(t, p, "enrol_codes"); n != codes {
		t.Fatalf("%d enrolment codes, want %d", n, codes)
	}
	// The database does not hold the code in clear.
	rows, err := p.DB(t).Query(`SELECT answer FROM idempotency`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	answers := 0
	for rows.Next() {
		var answer []byte
		if err := rows.Scan(&answer); err != nil {
			t.Fatal(err)
		}
		if answers++; bytes.Contains(answer, []byte(first)) {
			t.Fatal("the code is readable in the stored answers")
		}
	}
	if err := rows.Err(); err != nil || answers == 0 {
		t.Fatalf("%d stored answers (%v), want the code request's", answers, err)
	}
}

// Finding 5: one laptop grew the database by 473 MiB in 9 s. Now each
// device and each team has a quota; past it a revision is refused with a
// code and a message in both languages, and stays on the laptop.
func TestFloodBeyondQuotaIsRefusedWithTheCode(t *testing.T) {
	ctx := context.Background()
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{DeviceQuota: 60 << 10, TeamQuota: 100 << 10})
	flood := func(d *synctest.Device, municipality string) (accepted int, refused []wire.Refused) {
		t.Helper()
		for range 10 {
			revs, _ := synctest.Revisions(10, municipality, d.Project, d.Ident.Recipient())
			r, err := d.SendBatch(ctx, revs)
			if err != nil {
				t.Fatal(err)
			}
			accepted += len(r.Accepted)
			refused = append(refused, r.Refused...)
		}
		return accepted, refused
	}
	a1, a2, b := p.EnrolDevice(t, p.TeamA), p.EnrolDevice(t, p.TeamA), p.EnrolDevice(t, p.TeamB)
	n1, refused := flood(a1, synctest.MunicipalityA)
	if n1 == 0 || n1 == 100 || len(refused) != 100-n1 {
		t.Fatalf("a flood of 100 revisions: %d accepted, %d refused; want the quota to stop it part way", n1, len(refused))
	}
	for _, r := range refused {
		if r.Code != wire.CodeQuotaExceeded || r.MessageIT == "" || r.MessageEN == "" || !wire.Retryable(r.Code) {
			t.Fatalf("refusal %+v, want %q with both messages, kept for retry", r, wire.CodeQuotaExceeded)
		}
	}
	n2, refused := flood(a2, synctest.MunicipalityA)
	if n2 == 0 || n2 >= n1 || len(refused) == 0 || !strings.Contains(refused[0].MessageEN, "team") {
		t.Fatalf("a colleague: %d accepted, refusals %v; want the team's quota to stop it sooner", n2, refused)
	}
	nb, _ := flood(b, synctest.MunicipalityB)
	if nb == 0 {
		t.Fatal("another team's laptop was refused")
	}
	if all, _ := p.Store.Revisions(ctx); len(all) != n1+n2+nb {
		t.Fatalf("server holds %d revisions, want the %d accepted", len(all), n1+n2+nb)
	}
}

// Finding 5: an invalid record_id was echoed unclipped into the stored
// receipt (a 3.2 KB request made a 15 MiB receipt). Now a receipt says back
// only ids that are ids.
func TestReceiptsKeepOnlyValidatedIDs(t *testing.T) {
	ctx := context.Background()
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{})
	d := p.EnrolDevice(t, p.TeamA)
	revs, _ := synctest.Revisions(50, synctest.MunicipalityA, d.Project, d.Ident.Recipient())
	long := strings.Repeat("x", 60<<10)
	for i := range revs {
		revs[i].RecordID, revs[i].Revision = long, long
	}
	r, err := d.SendBatch(ctx, revs)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Refused) != 50 || r.Refused[0].RecordID != "" || r.Refused[0].Revision != "" || r.Refused[0].Code != wire.CodeInvalidRevision {
		t.Fatalf("receipt refuses %d, first %+v; want 50 refused without the ids", len(r.Refused), r.Refused[0].Error)
	}
	var size int
	if err := p.DB(t).QueryRow(`SELECT max(length(receipt)) FROM batches`).Scan(&size); err != nil || size > 16<<10 {
		t.Fatalf("stored receipt of %d bytes (%v), want a few KiB", size, err)
	}
}

// Finding 9, on the server: the database, its WAL and shared memory are
// 0600 and the data folder 0700, whatever the folder was made with.
func TestServerFilesAreTheOwnersOnly(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "server")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(dir, 0o755)
	p := synctest.NewProject(t, dir)
	if server.IsPostgres(p.Database) {
		t.Skip("on PostgreSQL the database's files are the cluster's, in its own data directory (0700, initdb)")
	}
	p.Serve(t, server.Config{})
	p.EnrolDevice(t, p.TeamA) // writes: the WAL and shared memory exist
	files := server.Files(dir)
	if len(files) != 3 {
		t.Fatalf("database files %v, want the file, its WAL and shared memory", files)
	}
	for _, f := range append(files, dir) {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		want := os.FileMode(0o600)
		if f == dir {
			want = 0o700
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s: mode %o, want %o", filepath.Base(f), fi.Mode().Perm(), want)
		}
	}
}
