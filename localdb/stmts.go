package localdb

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps the statements of the write path prepared on the writer
// connection: the pure-Go SQLite otherwise parses and compiles every
// statement on every Exec, a large share of a save. The writer has a single
// connection, held by a transaction while it runs, so a statement seen for
// the first time inside a transaction runs unprepared and is prepared before
// the next transaction begins.
type stmtCache struct {
	mu     sync.Mutex
	m      map[string]*sql.Stmt
	wanted map[string]bool
}

// lookup returns the prepared statement of query, or nil after noting that
// it is wanted.
func (c *stmtCache) lookup(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[query]; ok {
		return st
	}
	if c.wanted == nil {
		c.wanted = map[string]bool{}
	}
	c.wanted[query] = true
	return nil
}

// prepareWanted prepares the statements noted since the last call; it runs
// outside any transaction.
func (c *stmtCache) prepareWanted(ctx context.Context, db *sql.DB) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q := range c.wanted {
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			return err
		}
		if c.m == nil {
			c.m = map[string]*sql.Stmt{}
		}
		c.m[q] = st
		delete(c.wanted, q)
	}
	return nil
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	c.m, c.wanted = nil, nil
}

// execTx runs query inside tx, with its prepared statement when there is one.
func (s *Store) execTx(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	if st := s.stmts.lookup(query); st != nil {
		return tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return tx.ExecContext(ctx, query, args...)
}

// queryRowTx is execTx for a query of one row.
func (s *Store) queryRowTx(ctx context.Context, tx *sql.Tx, query string, args ...any) *sql.Row {
	if st := s.stmts.lookup(query); st != nil {
		return tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return tx.QueryRowContext(ctx, query, args...)
}
