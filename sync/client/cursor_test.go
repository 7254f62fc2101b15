package client_test

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"testing"

	"sinba/localdb"
	"sinba/survey"
	"sinba/sync/client"
	"sinba/sync/server"
	"sinba/sync/synctest"
	"sinba/sync/wire"
)

// cursorsAsked records the cursor of every feed request a laptop makes.
type cursorsAsked struct {
	mu   sync.Mutex
	seen []int64
}

func (c *cursorsAsked) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Path == wire.PathChanges {
		n, _ := strconv.ParseInt(req.URL.Query().Get("cursor"), 10, 64)
		c.mu.Lock()
		c.seen = append(c.seen, n)
		c.mu.Unlock()
	}
	return http.DefaultTransport.RoundTrip(req)
}

func (c *cursorsAsked) last() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.seen[len(c.seen)-1]
}

// The laptop's own revisions come back in its team's feed, which the server
// leaves out of its pages: the round that reads past them keeps the cursor,
// so later idle rounds do not read them again.
func TestIdleRoundsDoNotReadOwnUploadsAgain(t *testing.T) {
	ctx := context.Background()
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{})
	asked := &cursorsAsked{}
	laptop, c := enrolledWith(t, p, p.TeamA, client.Options{HTTPClient: &http.Client{Transport: asked}})
	syncOnce(t, c)
	for range 5 {
		if _, err := laptop.Save(ctx, synctest.CaseRecord(synctest.MunicipalityA, "x"), localdb.SaveOptions{Status: survey.StatusFinal}); err != nil {
			t.Fatal(err)
		}
	}
	syncOnce(t, c) // uploads: its first page was asked before the upload
	before := asked.last()
	syncOnce(t, c) // reads past its own five
	syncOnce(t, c)
	if got := asked.last(); got <= before {
		t.Errorf("an idle round asked the feed from %d again, before the laptop's own uploads: want past them", got)
	}
	third, fourth := asked.seen[len(asked.seen)-2], asked.last()
	if third != before || fourth == third {
		t.Errorf("cursors asked %v: want the third round from %d and the fourth past the uploads", asked.seen, before)
	}
}
