package session

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"sinba/sync/seal"
	"sinba/sync/wire"
)

// A server from before the enrolment answer named its role answers a
// laptop with device_id alone; by then it has spent the laptop's code, so
// the laptop takes the answer as a laptop's (and a coordinator's app
// refuses it, as it is not one).
func TestEnrolReadsAnAnswerWithoutRole(t *testing.T) {
	project, err := seal.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	// The answer exactly as the server wrote it before Role existed.
	old := map[string]string{
		"device_id": "5b0e7c1e-6a43-4f0e-9a57-2f1f2b8f4c11", "project_id": "8f6f4f0e-3c2b-4b5e-9d1a-1c2d3e4f5a6b",
		"project_name": "S.In.Ba pilota", "project_recipient": project.Recipient().String(),
		"team_id": "0d9a8b7c-6e5f-4a3b-8c2d-1e0f9a8b7c6d", "team_name": "Squadra Nord", "researcher_name": "Rilevatore 1",
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != wire.PathEnrol {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(old)
	}))
	defer srv.Close()

	s := New(Options{})
	en, err := s.Enrol(context.Background(), srv.URL, true, wire.EnrolRequest{Code: "ABCD-EFGH-IJKL", Role: wire.RoleDevice})
	if err != nil {
		t.Fatalf("a laptop refused the answer of a server not yet updated, after its code was spent: %v", err)
	}
	if en.Answer.Role != wire.RoleDevice || en.Answer.ID() != old["device_id"] || en.Answer.TeamName != old["team_name"] {
		t.Fatalf("answer read as %+v", en.Answer)
	}
	if _, err := s.Enrol(context.Background(), srv.URL, true, wire.EnrolRequest{Code: "ABCD-EFGH-IJKL", Role: wire.RoleCoordinator}); err != errRole {
		t.Fatalf("a coordinator's app took a laptop's answer: %v", err)
	}
}

func TestImpliedRole(t *testing.T) {
	for _, c := range []struct {
		r    wire.EnrolResponse
		want wire.Role
	}{
		{wire.EnrolResponse{DeviceID: "d"}, wire.RoleDevice},
		{wire.EnrolResponse{CoordinatorID: "c"}, wire.RoleCoordinator},
		{wire.EnrolResponse{DeviceID: "d", CoordinatorID: "c"}, ""},
		{wire.EnrolResponse{}, ""},
	} {
		if got := c.r.ImpliedRole(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.r, got, c.want)
		}
	}
}
