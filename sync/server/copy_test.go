package server_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"sinba/internal/storetest"
	"sinba/localdb"
	"sinba/survey"
	"sinba/sync/client"
	"sinba/sync/server"
	"sinba/sync/synctest"
	"sinba/sync/wire"
)

// pilot is a pilot's SQLite server that has been in use: laptops of two
// teams enrolled, records sent and revised, a colleague confirmed with the
// team key, a coordinators' decision, a second instrument version, a code
// never used; and the laptops, which hold their cursors.
type pilot struct {
	p      *synctest.Project
	addr   string
	laps   []*client.Client
	stores []*localdb.Store
}

func newPilot(t *testing.T) *pilot {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	p := synctest.NewProjectIn(t, dir, dir)
	p.Serve(t, server.Config{})
	pl := &pilot{p: p, addr: strings.TrimPrefix(p.URL, "http://")}
	for _, team := range []string{p.TeamA, p.TeamA, p.TeamB} {
		st := synctest.Laptop(t, t.TempDir())
		c := client.New(st, client.Options{})
		if _, err := c.Enrol(ctx, p.URL, p.Code(t, team)); err != nil {
			t.Fatal(err)
		}
		pl.laps, pl.stores = append(pl.laps, c), append(pl.stores, st)
	}
	pl.syncAll(t)
	synctest.Confirm(t, pl.laps[0], pl.laps[1])
	for i, st := range pl.stores {
		m := synctest.MunicipalityA
		if i == 2 {
			m = synctest.MunicipalityB
		}
		for j := range 4 {
			info, err := st.Save(ctx, synctest.RealisticCase(m, uint64(10*i+j)), localdb.SaveOptions{Status: survey.StatusFinal})
			if err != nil {
				t.Fatal(err)
			}
			if j == 0 {
				rec, _, err := st.Get(ctx, info.ID)
				if err != nil {
					t.Fatal(err)
				}
				rec.Answers["AnnoNascita"] = "2012"
				if _, err := st.Save(ctx, rec, localdb.SaveOptions{Status: survey.StatusFinal}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	pl.syncAll(t)
	revs, err := p.Store.Revisions(ctx)
	if err != nil || len(revs) == 0 {
		t.Fatalf("revisions on the pilot: %d, %v", len(revs), err)
	}
	if _, err := p.Store.AddReview(ctx, revs[0].Revision, survey.StatusReturned, []survey.Comment{{Field: "AnnoNascita", Text: "Verificare l'anno"}}); err != nil {
		t.Fatal(err)
	}
	p.PublishCase(t, 3, synctest.CaseV3(t))
	p.Code(t, p.TeamB) // a code never used
	// A coordinators' app makes a code for another coordinator: a keyed
	// write, whose answer the server keeps sealed.
	co := enrolCoordinator(t, p)
	if st, body, err := co.Do(ctx, http.MethodPost, wire.PathCoordCodes, []byte(`{"coordinator":true}`)); err != nil || st != http.StatusOK {
		t.Fatalf("a coordinator's code: HTTP %d %s %v", st, body, err)
	}
	pl.syncAll(t)
	return pl
}

func (pl *pilot) syncAll(t *testing.T) {
	t.Helper()
	for range 2 {
		for i, c := range pl.laps {
			if _, err := c.SyncOnce(context.Background(), nil); err != nil {
				t.Fatalf("laptop %d: %v", i, err)
			}
		}
	}
}

// rowsOf reads every row of every table of the pilot's tables in db: the
// target's columns (rowid is SQLite's own on the source), each value
// written out the same way whatever the engine gave (a boolean as 0 or 1,
// text and bytes as their bytes), sorted.
func rowsOf(t *testing.T, db *sql.DB, tables []string, cols map[string][]string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, table := range tables {
		rows, err := db.Query(`SELECT ` + strings.Join(cols[table], ", ") + ` FROM ` + table)
		if err != nil {
			t.Fatal(err)
		}
		vals := make([]any, len(cols[table]))
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for i, v := range vals {
				switch x := v.(type) {
				case nil:
					b.WriteString("NULL")
				case bool:
					if x {
						b.WriteString("1")
					} else {
						b.WriteString("0")
					}
				case int64:
					b.WriteString(strconv.FormatInt(x, 10))
				case float64:
					b.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
				case []byte:
					fmt.Fprintf(&b, "%q", x)
				case string:
					fmt.Fprintf(&b, "%q", x)
				default:
					t.Fatalf("%s.%s: a value of type %T", table, cols[table][i], v)
				}
				b.WriteByte('|')
			}
			out[table] = append(out[table], b.String())
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		slices.Sort(out[table])
	}
	return out
}

func sqliteTables(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'schema_migrations' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		out = append(out, n)
	}
	return out
}

func pgColumns(t *testing.T, db *sql.DB, tables []string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, table := range tables {
		rows, err := db.Query(`SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`, table)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var c string
			rows.Scan(&c)
			out[table] = append(out[table], c)
		}
		rows.Close()
		if len(out[table]) == 0 {
			t.Fatalf("PostgreSQL has no table %s", table)
		}
	}
	return out
}

// TestMigrateFromSQLiteCopiesEveryRow: a pilot's SQLite server copied into
// an empty PostgreSQL database holds there every row of every table, value
// for value; the laptops then sync with a server on PostgreSQL as before,
// their cursors good; a second copy into the same database is refused; and
// a copy that fails half way leaves PostgreSQL empty.
func TestMigrateFromSQLiteCopiesEveryRow(t *testing.T) {
	if storetest.Backend() != "postgres" {
		t.Skip("the copy goes into PostgreSQL: it runs with the tests on PostgreSQL")
	}
	ctx := context.Background()
	pl := newPilot(t)
	pl.p.HTTP.Close() // the pilot's server stops
	src, err := server.OpenStore(pl.p.Dir)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	url, err := storetest.Cluster().NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dst, err := server.Open(url)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	rep, err := server.CopyStore(ctx, src, dst)
	if err != nil {
		t.Fatal(err)
	}

	lite, err := sql.Open("sqlite", "file:"+filepath.Join(pl.p.Dir, server.DBFile)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	pg, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	tables := sqliteTables(t, lite)
	cols := pgColumns(t, pg, tables)
	want, got := rowsOf(t, lite, tables, cols), rowsOf(t, pg, tables, cols)
	var rows int
	for _, table := range tables {
		rows += len(want[table])
		if !slices.Equal(want[table], got[table]) {
			t.Errorf("%s: %d rows in SQLite, %d in PostgreSQL, not the same:\nSQLite     %q\nPostgreSQL %q", table, len(want[table]), len(got[table]), want[table], got[table])
		}
	}
	for _, table := range []string{"projects", "teams", "researchers", "devices", "enrol_codes", "records", "revisions", "batches", "batch_headers",
		"feed", "reviews", "key_grants", "nonces", "idempotency", "signer_buckets", "instruments", "coordinators"} {
		if len(want[table]) == 0 {
			t.Errorf("the pilot has no row in %s: the test proves nothing about it", table)
		}
	}
	if rep.Rows() != int64(rows) {
		t.Errorf("the copy says %d rows, the tables hold %d", rep.Rows(), rows)
	}
	t.Logf("%d rows of %d tables, the same in both", rows, len(tables))

	// The server comes back on PostgreSQL at the same address: a laptop's
	// new record reaches its colleague, whose cursor came from SQLite.
	ln, err := net.Listen("tcp", pl.addr)
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: server.New(dst, server.Config{}, nil), ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	defer hs.Close()
	info, err := pl.stores[0].Save(ctx, synctest.CaseRecord(synctest.MunicipalityA, "dopo la migrazione"), localdb.SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	before, err := pl.stores[1].List(ctx, localdb.Filter{Instrument: survey.InstrumentCase})
	if err != nil {
		t.Fatal(err)
	}
	pl.syncAll(t)
	after, err := pl.stores[1].List(ctx, localdb.Filter{Instrument: survey.InstrumentCase})
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before)+1 || !slices.ContainsFunc(after, func(r localdb.RecordInfo) bool { return r.ID == info.ID }) {
		t.Fatalf("the colleague's laptop holds %d case records after a sync with the server on PostgreSQL, %d before; want the new one too", len(after), len(before))
	}

	// Into a database that holds data, nothing is copied.
	_, err = server.CopyStore(ctx, src, dst)
	var notEmpty *server.ErrTargetNotEmpty
	if !errors.As(err, &notEmpty) || !strings.Contains(err.Error(), "non è vuota") || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("a second copy into the same database: %v, want the refusal of a database that is not empty", err)
	}
}

// TestMigrateIsAllOrNothing: a copy that fails half way (a researcher's
// name with a NUL byte, which SQLite holds and PostgreSQL's text does not)
// leaves PostgreSQL without a row, and once the cause is mended the same
// copy goes through.
func TestMigrateIsAllOrNothing(t *testing.T) {
	if storetest.Backend() != "postgres" {
		t.Skip("the copy goes into PostgreSQL: it runs with the tests on PostgreSQL")
	}
	ctx := context.Background()
	dir := t.TempDir()
	p := synctest.NewProjectIn(t, dir, dir)
	defer p.Store.Close()
	rid, err := p.Store.CreateResearcher(ctx, p.TeamA, "Rilevatore")
	if err != nil {
		t.Fatal(err)
	}
	lite, err := sql.Open("sqlite", "file:"+filepath.Join(dir, server.DBFile))
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	if _, err := lite.Exec(`UPDATE researchers SET name = ? WHERE id = ?`, "Rile\x00vatore", rid); err != nil {
		t.Fatal(err)
	}
	url, err := storetest.Cluster().NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dst, err := server.Open(url)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	if _, err := server.CopyStore(ctx, p.Store, dst); err == nil || !strings.Contains(err.Error(), "researchers") {
		t.Fatalf("copy of a name PostgreSQL cannot hold: %v, want a failure naming the table", err)
	}
	pg, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	for _, table := range sqliteTables(t, lite) {
		var n int
		if err := pg.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("after the failed copy PostgreSQL's %s holds %d rows, want none", table, n)
		}
	}
	if _, err := lite.Exec(`UPDATE researchers SET name = ? WHERE id = ?`, "Rilevatore", rid); err != nil {
		t.Fatal(err)
	}
	rep, err := server.CopyStore(ctx, p.Store, dst)
	if err != nil || rep.Rows() == 0 {
		t.Fatalf("the copy once mended: %v, %d rows", err, rep.Rows())
	}
}
