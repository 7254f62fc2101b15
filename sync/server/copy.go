package server

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// CopyReport is what CopyStore copied: rows per table, in copy order.
type CopyReport struct {
	Tables []TableCount
}

// TableCount is one table's rows.
type TableCount struct {
	Table string
	Rows  int64
}

// Rows is the number of rows copied in all.
func (r CopyReport) Rows() int64 {
	var n int64
	for _, t := range r.Tables {
		n += t.Rows
	}
	return n
}

// ErrTargetNotEmpty is CopyStore's refusal of a target that holds data.
type ErrTargetNotEmpty struct{ Table string }

func (e *ErrTargetNotEmpty) Error() string {
	return fmt.Sprintf("la base di dati di destinazione non è vuota (tabella %s): la copia va fatta in una base di dati appena creata / the target database is not empty (table %s): copy into a freshly created database", e.Table, e.Table)
}

// CopyStore copies every row of every table of the SQLite store from into
// the PostgreSQL store to, to put a pilot's server into service, exactly:
// the same rows, the same ids, the same arrival order (SQLite's rowid, a
// column of PostgreSQL's tables read in that order) and the feed's
// sequence numbers, which the laptops' cursors hold. Opening both migrated
// them to the same schema (TestSchemasMatch keeps the two in step; a column
// one has and the other lacks stops the copy). It refuses a target that
// holds any row, and it is atomic: one transaction on the target, so a copy
// that fails half way leaves the target empty and can be run again.
func CopyStore(ctx context.Context, from, to *Store) (CopyReport, error) {
	var rep CopyReport
	if from.Backend() != "sqlite" || to.Backend() != "postgres" {
		return rep, fmt.Errorf("la copia va da un file SQLite a PostgreSQL, non da %s a %s / the copy goes from an SQLite file to PostgreSQL, not from %s to %s",
			from.Backend(), to.Backend(), from.Backend(), to.Backend())
	}
	tables, err := from.copyTables(ctx)
	if err != nil {
		return rep, err
	}
	// One transaction, not the store's retried serializable ones, that
	// first locks every table against writers (a server process started on
	// the target too soon waits for the copy to end), then checks that
	// they are empty.
	tx, err := to.w.sql.BeginTx(ctx, nil)
	if err != nil {
		return rep, err
	}
	defer func() { _ = tx.Rollback() }()
	t := &txn{Tx: tx, d: to.d}
	if _, err := t.ExecContext(ctx, `LOCK TABLE `+strings.Join(tables, ", ")+` IN EXCLUSIVE MODE`); err != nil {
		return rep, err
	}
	for _, table := range tables {
		var n int
		if err := t.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM `+table+` LIMIT 1) x`).Scan(&n); err != nil {
			return rep, fmt.Errorf("%s: %w", table, err)
		}
		if n > 0 {
			return rep, &ErrTargetNotEmpty{Table: table}
		}
	}
	for _, table := range tables {
		n, err := copyTable(ctx, from, t, table)
		if err != nil {
			return rep, fmt.Errorf("%s: %w", table, err)
		}
		rep.Tables = append(rep.Tables, TableCount{Table: table, Rows: n})
	}
	return rep, tx.Commit()
}

// copyTables lists the store's tables in the order they were made, which
// is an order their foreign keys allow (a table names only earlier ones).
func (s *Store) copyTables(ctx context.Context) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'schema_migrations' ORDER BY rowid`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// columns are a table's column names and database types, as the driver
// reports them.
func columns(rows *sql.Rows) ([]string, []string, error) {
	cts, err := rows.ColumnTypes()
	if err != nil {
		return nil, nil, err
	}
	names, types := make([]string, len(cts)), make([]string, len(cts))
	for i, c := range cts {
		names[i], types[i] = c.Name(), strings.ToUpper(c.DatabaseTypeName())
	}
	return names, types, nil
}

// copyTable copies table's rows from the SQLite store into tx, by the
// target's columns: each is the source's column of that name, or, for
// rowid, SQLite's rowid. Then the target's sequences (identity columns,
// the feed's seq) move past the rows copied, so new rows follow them.
func copyTable(ctx context.Context, from *Store, tx *txn, table string) (int64, error) {
	probe, err := tx.QueryContext(ctx, `SELECT * FROM `+table+` WHERE 1 = 0`)
	if err != nil {
		return 0, err
	}
	names, types, err := columns(probe)
	probe.Close()
	if err != nil {
		return 0, err
	}
	have, err := from.sourceColumns(ctx, table)
	if err != nil {
		return 0, err
	}
	for _, n := range names {
		if !have[n] && n != "rowid" {
			return 0, fmt.Errorf("la colonna %s manca nel file SQLite / column %s missing in the SQLite file", n, n)
		}
		delete(have, n)
	}
	for n := range have {
		return 0, fmt.Errorf("la colonna %s manca in PostgreSQL / column %s missing in PostgreSQL", n, n)
	}
	src, err := from.r.QueryContext(ctx, `SELECT `+strings.Join(names, ", ")+` FROM `+table)
	if err != nil {
		return 0, err
	}
	defer src.Close()
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(names)), ", ")
	ins, err := tx.Tx.PrepareContext(ctx, tx.d.rebind(`INSERT INTO `+table+` (`+strings.Join(names, ", ")+`) VALUES (`+marks+`)`))
	if err != nil {
		return 0, err
	}
	defer ins.Close()
	vals := make([]any, len(names))
	ptrs := make([]any, len(names))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var n int64
	for src.Next() {
		if err := src.Scan(ptrs...); err != nil {
			return n, err
		}
		for i, v := range vals {
			vals[i] = convertFor(types[i], v)
		}
		if _, err := ins.ExecContext(ctx, vals...); err != nil {
			return n, err
		}
		n++
	}
	if err := src.Err(); err != nil {
		return n, err
	}
	// A column's sequence (an identity column's, or one it owns, as
	// feed.seq owns feed_seq) continues after the largest value copied.
	seqs, err := tx.QueryContext(ctx, `SELECT column_name, pg_get_serial_sequence(?, column_name) FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = ? AND pg_get_serial_sequence(?, column_name) IS NOT NULL`, table, table, table)
	if err != nil {
		return n, err
	}
	var withSeq [][2]string
	for seqs.Next() {
		var col, seq string
		if err := seqs.Scan(&col, &seq); err != nil {
			seqs.Close()
			return n, err
		}
		withSeq = append(withSeq, [2]string{col, seq})
	}
	seqs.Close()
	if err := seqs.Err(); err != nil {
		return n, err
	}
	for _, cs := range withSeq {
		if _, err := tx.ExecContext(ctx, `SELECT setval(CAST(? AS regclass), max(`+cs[0]+`)) FROM `+table+` HAVING count(*) > 0`, cs[1]); err != nil {
			return n, err
		}
	}
	return n, nil
}

// sourceColumns are the columns of an SQLite table.
func (s *Store) sourceColumns(ctx context.Context, table string) (map[string]bool, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT name FROM pragma_table_info(?)`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out[n] = true
	}
	return out, rows.Err()
}

// convertFor turns a value SQLite gave into what a column of the target's
// type takes: a boolean from SQLite's 0 or 1, text from bytes.
func convertFor(typ string, v any) any {
	switch x := v.(type) {
	case int64:
		if typ == "BOOL" || typ == "BOOLEAN" {
			return x != 0
		}
	case []byte:
		if typ == "TEXT" || typ == "VARCHAR" {
			return string(x)
		}
	}
	return v
}
