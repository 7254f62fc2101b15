package pgtest

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

// A cluster starts, makes databases that are apart, and leaves nothing
// behind once stopped.
func TestClusterStartsAndStops(t *testing.T) {
	c, err := Start()
	if errors.Is(err, ErrNotInstalled) && !Required() {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, err := c.NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.NewDatabase(ctx)
	if err != nil || a == b {
		t.Fatalf("second database %q (%v), first %q", b, err, a)
	}
	conn, err := pgx.Connect(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `CREATE TABLE x (v TEXT)`); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	conn, err = pgx.Connect(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE tablename = 'x'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("the other database sees %d tables x (%v)", n, err)
	}
	conn.Close(ctx)
	dir := c.Dir()
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the cluster's folder is still there: %v", err)
	}
}
