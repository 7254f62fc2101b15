package server_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/google/uuid"

	"sinba/survey"
	"sinba/sync/seal"
	"sinba/sync/server"
	"sinba/sync/synctest"
	"sinba/sync/wire"
)

type answer struct {
	status int
	code   string
	header http.Header
}

func send(t *testing.T, req *http.Request) answer {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var e wire.Error
	_ = json.Unmarshal(data, &e)
	if resp.StatusCode != 200 && (e.MessageIT == "" || e.MessageEN == "") {
		t.Errorf("%s %s: HTTP %d without a message for people: %s", req.Method, req.URL.Path, resp.StatusCode, data)
	}
	return answer{resp.StatusCode, e.Code, resp.Header}
}

// signedReq builds a request signed by d at ts; calling it again gives the
// same signature (a replay). A write carries an idempotency key, as the
// apps' do.
func signedReq(d *synctest.Device, method, path string, body []byte, ts time.Time) func() *http.Request {
	if method == http.MethodPost {
		path = synctest.WithKey(path, uuid.NewString())
	}
	base, _ := http.NewRequest(method, d.URL+path, nil)
	wire.Sign(base, d.ID, d.Key, body, ts)
	return func() *http.Request {
		r, _ := http.NewRequest(method, d.URL+path, bytes.NewReader(body))
		r.Header = base.Header.Clone()
		return r
	}
}

func raw(method, url, body string) *http.Request {
	r, _ := http.NewRequest(method, url, strings.NewReader(body))
	return r
}

func TestBadInputIsRefusedWithACode(t *testing.T) {
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{EnrolRate: 100, EnrolBurst: 100, Limits: wire.Limits{MaxCompressed: 64 << 10, MaxDecompressed: 256 << 10, MaxRevisions: 5, MaxContent: 8 << 10}})
	d := p.EnrolDevice(t, p.TeamA)
	now := time.Now()
	rev, _ := synctest.Revisions(6, synctest.MunicipalityA, d.Project, d.Ident.Recipient())
	tooMany, _ := wire.EncodeBatch(&wire.Batch{Version: wire.Version, ID: uuid.NewString(), Revisions: rev})
	pub, _, _ := ed25519.GenerateKey(nil)
	ident, _ := seal.NewKey()
	goodEnrol := func(code string) string {
		b, _ := json.Marshal(wire.EnrolRequest{Version: wire.Version, Code: code, SignKey: pub, Recipient: ident.Recipient().String()})
		return string(b)
	}
	stranger := &synctest.Device{URL: d.URL, ID: uuid.NewString(), Key: d.Key}
	cases := []struct {
		name   string
		req    *http.Request
		status int
		code   string
	}{
		{"enrol garbage", raw("POST", p.URL+wire.PathEnrol, "{{{"), 400, wire.CodeInvalid},
		{"enrol huge", raw("POST", p.URL+wire.PathEnrol, strings.Repeat("a", 20<<10)), 413, wire.CodeTooLarge},
		{"enrol old version", raw("POST", p.URL+wire.PathEnrol, `{"version":0}`), 400, wire.CodeUnsupportedVersion},
		{"enrol bad key", raw("POST", p.URL+wire.PathEnrol, `{"version":1,"code":"x","sign_key":"AAAA"}`), 400, wire.CodeInvalid},
		{"enrol wrong code", raw("POST", p.URL+wire.PathEnrol, goodEnrol("AAAAA-AAAAA")), 403, wire.CodeCodeInvalid},
		{"unknown path", raw("GET", p.URL+"/v2/x", ""), 404, wire.CodeNotFound},
		{"no signature", raw("POST", p.URL+wire.PathBatches, "x"), 400, wire.CodeUnsupportedVersion},
		{"unknown device", signedReq(stranger, "GET", wire.PathChanges, nil, now)(), 401, wire.CodeUnauthenticated},
		{"bad signature", signedReq(d, "GET", wire.PathChanges+"?cursor=1", nil, now)().WithContext(context.Background()), 0, ""},
		{"clock skew", signedReq(d, "GET", wire.PathChanges, nil, now.Add(-time.Hour))(), 401, wire.CodeClockSkew},
		{"batch garbage", signedReq(d, "POST", wire.PathBatches, []byte("garbage"), now)(), 400, wire.CodeInvalid},
		{"batch bomb", signedReq(d, "POST", wire.PathBatches, wire.Compress(make([]byte, 4<<20)), now)(), 413, wire.CodeTooLarge},
		{"batch too many", signedReq(d, "POST", wire.PathBatches, tooMany, now)(), 400, wire.CodeTooManyRecords},
		{"batch too big", signedReq(d, "POST", wire.PathBatches, make([]byte, 100<<10), now)(), 413, wire.CodeTooLarge},
		{"keys garbage", signedReq(d, "POST", wire.PathKeys, []byte("]"), now)(), 400, wire.CodeInvalid},
		{"keys bad recipient", signedReq(d, "POST", wire.PathKeys, []byte(`{"team_recipient":"age1nope"}`), now)(), 400, wire.CodeInvalid},
		{"changes bad cursor", signedReq(d, "GET", wire.PathChanges+"?cursor=abc", nil, now)(), 200, ""},
	}
	// Tamper with one signature: the path signed is not the path sent.
	cases[8].req.URL.RawQuery = "cursor=2"
	cases[8].status, cases[8].code = 401, wire.CodeBadSignature
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := send(t, c.req)
			if got.status != c.status || got.code != c.code {
				t.Fatalf("HTTP %d %q, want %d %q", got.status, got.code, c.status, c.code)
			}
		})
	}
	replay := signedReq(d, "GET", wire.PathChanges, nil, now)
	if got := send(t, replay()); got.status != 200 {
		t.Fatalf("first request: HTTP %d", got.status)
	}
	if got := send(t, replay()); got.status != 401 || got.code != wire.CodeReplay {
		t.Fatalf("replayed request: HTTP %d %q, want 401 %q", got.status, got.code, wire.CodeReplay)
	}
}

func TestRateLimitSaysWhenToComeBack(t *testing.T) {
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{DeviceRate: 0.5, DeviceBurst: 2})
	d := p.EnrolDevice(t, p.TeamA)
	var last answer
	for range 3 {
		last = send(t, signedReq(d, "GET", wire.PathChanges, nil, time.Now())())
	}
	if last.status != 429 || last.code != wire.CodeRateLimited || last.header.Get("Retry-After") == "" {
		t.Fatalf("third request: HTTP %d %q Retry-After %q; want 429 with Retry-After", last.status, last.code, last.header.Get("Retry-After"))
	}
}

func TestRepeatedBatchGetsTheSameReceipt(t *testing.T) {
	ctx := context.Background()
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{})
	d := p.EnrolDevice(t, p.TeamA)
	revs, err := synctest.Revisions(3, synctest.MunicipalityA, d.Project, d.Ident.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := wire.EncodeBatch(&wire.Batch{Version: wire.Version, ID: uuid.NewString(), Revisions: revs})
	var receipts [2]string
	for i := range receipts {
		status, data, err := d.Do(ctx, "POST", wire.PathBatches, body)
		if err != nil || status != 200 {
			t.Fatalf("send %d: HTTP %d %v", i, status, err)
		}
		receipts[i] = string(data)
	}
	if receipts[0] != receipts[1] {
		t.Fatalf("repeated batch got another receipt:\n%s\n%s", receipts[0], receipts[1])
	}
	// The same revisions under a new batch id: acknowledged, not stored again.
	r, err := d.SendBatch(ctx, revs)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range r.Accepted {
		if !a.Duplicate {
			t.Fatalf("revision %s not reported as duplicate", a.Revision)
		}
	}
	if all, _ := p.Store.Revisions(ctx); len(all) != 3 {
		t.Fatalf("server holds %d revisions, want 3", len(all))
	}
	// Another device reusing the batch id is refused.
	other := p.EnrolDevice(t, p.TeamA)
	if status, _, _ := other.Do(ctx, "POST", wire.PathBatches, body); status != http.StatusConflict {
		t.Fatalf("batch id reused by another device: HTTP %d, want 409", status)
	}
}

// A device reads only its team's records, and only in the municipalities the
// team is assigned now.
func TestChangesAreScopedToTeamAndAssignments(t *testing.T) {
	ctx := context.Background()
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{})
	a1 := p.EnrolDevice(t, p.TeamA)
	team, _ := seal.NewKey()
	revs, _ := synctest.Revisions(2, synctest.MunicipalityA, a1.Project, team.Recipient())
	if _, err := a1.SendBatch(ctx, revs); err != nil {
		t.Fatal(err)
	}
	changes := func(d *synctest.Device) wire.Changes {
		t.Helper()
		status, data, err := d.Do(ctx, "GET", wire.PathChanges+"?cursor=0", nil)
		var ch wire.Changes
		if err != nil || status != 200 || json.Unmarshal(data, &ch) != nil {
			t.Fatalf("changes: HTTP %d %v", status, err)
		}
		return ch
	}
	if ch := changes(p.EnrolDevice(t, p.TeamA)); len(ch.Revisions) != 2 {
		t.Fatalf("a colleague sees %d revisions, want 2", len(ch.Revisions))
	}
	b := p.EnrolDevice(t, p.TeamB)
	if ch := changes(b); len(ch.Revisions) != 0 || len(ch.Instruments) != 2 {
		t.Fatalf("another team sees %d revisions and %d instruments, want 0 and 2", len(ch.Revisions), len(ch.Instruments))
	}
	if err := p.Store.Unassign(ctx, p.TeamA, synctest.MunicipalityA); err != nil {
		t.Fatal(err)
	}
	if ch := changes(p.EnrolDevice(t, p.TeamA)); len(ch.Revisions) != 0 || len(ch.Assignments) != 0 {
		t.Fatalf("after unassignment a colleague sees %d revisions, assignments %v; want none", len(ch.Revisions), ch.Assignments)
	}
}

// Approving and returning belong to the coordinators: a laptop's version
// that claims either is refused with a code, and the status summary takes
// approved from the coordinators' decisions only.
func TestLaptopCannotDecide(t *testing.T) {
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{DisableLimits: true})
	d := p.EnrolDevice(t, p.TeamA)
	ctx := context.Background()
	revs, _ := synctest.Revisions(3, synctest.MunicipalityA, d.Project, d.Ident.Recipient())
	revs[0].Status, revs[1].Status = survey.StatusApproved, survey.StatusReturned
	rc, err := d.SendBatch(ctx, revs)
	if err != nil {
		t.Fatal(err)
	}
	if len(rc.Refused) != 2 || len(rc.Accepted) != 1 || rc.Accepted[0].Revision != revs[2].Revision {
		t.Fatalf("receipt %+v; want the two decisions refused and the final version accepted", rc)
	}
	for _, r := range rc.Refused {
		if r.Code != wire.CodeReviewDecision || !strings.Contains(r.MessageIT, "coordinamento") || r.MessageEN == "" {
			t.Errorf("refusal %+v; want %s with a message in both languages", r, wire.CodeReviewDecision)
		}
	}
	count := func(st survey.Status) int {
		sm, err := p.Store.Summary(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, c := range sm.Counts {
			if c.Status == string(st) {
				n += c.Records
			}
		}
		return n
	}
	if count(survey.StatusApproved) != 0 || count(survey.StatusFinal) != 1 {
		t.Fatalf("summary before any decision: %d approved, %d final", count(survey.StatusApproved), count(survey.StatusFinal))
	}
	if _, err := p.Store.AddReview(ctx, revs[2].Revision, survey.StatusApproved, nil); err != nil {
		t.Fatal(err)
	}
	if count(survey.StatusApproved) != 1 || count(survey.StatusFinal) != 0 {
		t.Fatalf("summary after the approval: %d approved, %d final", count(survey.StatusApproved), count(survey.StatusFinal))
	}
	if dec, err := p.Store.Decisions(ctx); err != nil || dec[revs[2].Revision] != survey.StatusApproved || len(dec) != 1 {
		t.Fatalf("decisions %v, %v", dec, err)
	}
}

// Only a device that holds the team key hands it over, and only within its
// team: a device of the team that never had the key cannot queue a copy of
// something else for a teammate, and a grant to another team's device is
// not kept.
func TestKeyGrantsComeFromHoldersWithinTheTeam(t *testing.T) {
	ctx := context.Background()
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{})
	keys := func(d *synctest.Device, req wire.KeysRequest) (int, wire.KeyState) {
		t.Helper()
		body, _ := json.Marshal(req)
		status, data, err := d.Do(ctx, "POST", wire.PathKeys, body)
		if err != nil {
			t.Fatal(err)
		}
		var ks wire.KeyState
		_ = json.Unmarshal(data, &ks)
		return status, ks
	}
	wrap := func(id *age.X25519Identity, to *synctest.Device) wire.Grant {
		w, err := seal.Encrypt([]byte(id.String()), to.Ident.Recipient())
		if err != nil {
			t.Fatal(err)
		}
		return wire.Grant{DeviceID: to.ID, Wrapped: w}
	}
	team, _ := seal.NewKey()
	first := p.EnrolDevice(t, p.TeamA)
	if st, _ := keys(first, wire.KeysRequest{TeamRecipient: team.Recipient().String(), Grants: []wire.Grant{wrap(team, first)}}); st != 200 {
		t.Fatalf("first laptop sets the team key: HTTP %d", st)
	}
	rogue := p.EnrolDevice(t, p.TeamA)
	newcomer := p.EnrolDevice(t, p.TeamA)
	other, _ := seal.NewKey()
	if st, _ := keys(rogue, wire.KeysRequest{Grants: []wire.Grant{wrap(other, newcomer)}}); st != 400 {
		t.Fatalf("a device without the key granting a teammate: HTTP %d, want 400", st)
	}
	if _, ks := keys(newcomer, wire.KeysRequest{}); len(ks.Wrapped) != 0 {
		t.Fatal("the newcomer holds a copy from a device that had none")
	}
	b := p.EnrolDevice(t, p.TeamB)
	if st, _ := keys(first, wire.KeysRequest{Grants: []wire.Grant{wrap(team, b)}}); st != 200 {
		t.Fatalf("grant to another team's device: HTTP %d", st)
	}
	if _, ks := keys(b, wire.KeysRequest{}); len(ks.Wrapped) != 0 {
		t.Fatal("a device of another team got team A's key")
	}
	if _, ks := keys(first, wire.KeysRequest{Grants: []wire.Grant{wrap(team, newcomer)}}); len(ks.Pending) != 1 || ks.Pending[0].DeviceID != rogue.ID {
		t.Fatalf("after the holder's grant, pending %+v; want only the device nobody confirmed", ks.Pending)
	}
	if _, ks := keys(newcomer, wire.KeysRequest{}); len(ks.Wrapped) == 0 {
		t.Fatal("the holder's grant did not reach the newcomer")
	}
}
