// Package storetest is the table of backends the server's tests run
// through: the same tests, once on SQLite (the pilot's store, in the
// test's folder) and once on PostgreSQL (a database of its own in a
// throwaway cluster, see pgtest). A test package opts in with
//
//	func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }
//
// and opens its stores with server.Open(storetest.Database(t, dir)).
// Without PostgreSQL's programs the PostgreSQL run is skipped, and says
// so, unless SINBA_TEST_POSTGRES=1 demands it.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"

	"sinba/internal/pgtest"
)

// Backends are the engines the tests run on, in order.
var Backends = []string{"sqlite", "postgres"}

var (
	current = "sqlite"
	cluster *pgtest.Cluster
)

// Main runs the package's tests once per backend and returns the exit code.
func Main(m *testing.M) int {
	code := 0
	for _, b := range Backends {
		if b == "postgres" {
			c, err := pgtest.Start()
			if errors.Is(err, pgtest.ErrNotInstalled) && !pgtest.Required() {
				fmt.Printf("storetest: PostgreSQL is not installed: the tests on PostgreSQL are skipped (%s=1 makes this a failure)\n", pgtest.EnvRequire)
				continue
			}
			if err != nil {
				fmt.Fprintln(os.Stderr, "storetest:", err)
				code = 1
				continue
			}
			cluster = c
		}
		current = b
		fmt.Printf("storetest: the tests on %s\n", b)
		if c := m.Run(); c != 0 {
			fmt.Printf("storetest: the tests on %s failed\n", b)
			code = c
		}
		if cluster != nil {
			if err := cluster.Stop(); err != nil {
				fmt.Fprintln(os.Stderr, "storetest:", err)
			}
			cluster = nil
		}
	}
	current = "sqlite"
	return code
}

// Backend names the backend the tests run on now.
func Backend() string { return current }

// Cluster is the PostgreSQL cluster of the run on PostgreSQL; nil on SQLite.
func Cluster() *pgtest.Cluster { return cluster }

// Database is what server.Open takes for a new, empty store on the current
// backend: dir itself on SQLite, the URL of a new database on PostgreSQL.
func Database(tb testing.TB, dir string) string {
	tb.Helper()
	if current != "postgres" || cluster == nil {
		return dir
	}
	url, err := cluster.NewDatabase(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return url
}
