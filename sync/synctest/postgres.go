package synctest

import (
	"context"
	"errors"
	"testing"

	"sinba/internal/pgtest"
	"sinba/internal/storetest"
)

// PostgresDatabase is the URL of a new, empty PostgreSQL database, for a
// test outside the server's package (a command's) that needs PostgreSQL
// whatever backend it runs on: in the cluster of the run on PostgreSQL if
// there is one, else in a throwaway cluster of the test's own, stopped when
// the test ends. Without PostgreSQL's programs the test is skipped, unless
// SINBA_TEST_POSTGRES=1 demands them.
func PostgresDatabase(t testing.TB) string {
	t.Helper()
	c := storetest.Cluster()
	if c == nil {
		var err error
		c, err = pgtest.Start()
		if errors.Is(err, pgtest.ErrNotInstalled) && !pgtest.Required() {
			t.Skipf("%v (%s=1 makes this a failure)", err, pgtest.EnvRequire)
		}
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := c.Stop(); err != nil {
				t.Error(err)
			}
		})
	}
	url, err := c.NewDatabase(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return url
}
