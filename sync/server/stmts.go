package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// ingestSQL are the statements of the ingest path, prepared once on the
// writing connection when the store opens (the pure-Go SQLite otherwise
// parses and compiles every statement on every call, most of a batch's
// cost). The writer has one connection, so a transaction's StmtContext
// reuses the prepared statement instead of compiling it again.
var ingestSQL = [...]string{
	stBatchByID: `SELECT device_id, receipt FROM batches WHERE id = ?`,
	stAssigned:  `SELECT municipality FROM assignments WHERE team_id = ?`,
	stPublished: `SELECT instrument || ':' || version FROM instruments WHERE project_id = ?`, /* instrumentRef */
	stUsage:     `SELECT d.stored_bytes, t.stored_bytes FROM devices d JOIN teams t ON t.id = d.team_id WHERE d.id = ?`,
	// What the server holds of a batch's ids, lookupChunk at a time (the
	// places past the batch's ids hold '', which is no id).
	stRevisionsIn:  `SELECT revision, record_id, team_id, conflict FROM revisions WHERE revision IN (` + places(lookupChunk) + `)`,
	stRecordsIn:    `SELECT id, team_id FROM records WHERE id IN (` + places(lookupChunk) + `)`,
	stInsertRecord: `INSERT INTO records (id, project_id, team_id, created_at) VALUES ` + recordRow,
	// lookupChunk records, revisions or feed rows of a batch at once, in order.
	stInsertRecordChunk:   `INSERT INTO records (id, project_id, team_id, created_at) VALUES ` + rows(recordRow),
	stFlagSiblings:        `UPDATE revisions SET conflict = TRUE WHERE record_id = ? AND base_revision = ? RETURNING revision`,
	stInsertRevision:      insertRevision + revisionRow,
	stInsertRevisionChunk: insertRevision + rows(revisionRow),
	stInsertFeed:          insertFeed + feedRow,
	stInsertFeedChunk:     insertFeed + rows(feedRow),
	stInsertBatch:         `INSERT INTO batches (id, device_id, receipt, received_at) VALUES (?, ?, ?, ?)`,
	stDeviceGrew:          `UPDATE devices SET last_seen_at = ?, stored_bytes = stored_bytes + ?, format = ? WHERE id = ?`,
	stInsertHeader:        `INSERT INTO batch_headers (batch_id, device_id, team_id, content, identity, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
	stTeamGrew:            `UPDATE teams SET stored_bytes = stored_bytes + ? WHERE id = ?`,
	stUseNonce:            `INSERT INTO nonces (signer, nonce, expires_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
	// A new signer's bucket starts full, less this request's token; a
	// known one refills since it was last touched (never past the burst,
	// and never back in time if another process's clock is behind) and
	// gives a token if it then holds one, else stays as it was and returns
	// no row. The arguments are takeTokenArgs'.
	stTakeToken: `INSERT INTO signer_buckets AS b (signer, tokens, at) VALUES (?, ?, ?)
		ON CONFLICT (signer) DO UPDATE SET tokens = ` + bucketHas + ` - 1, at = CASE WHEN ? > b.at THEN ? ELSE b.at END
		WHERE ` + bucketHas + ` >= 1
		RETURNING tokens`,
	stBucket: `SELECT tokens, at FROM signer_buckets WHERE signer = ?`,
}

// The rows of the ingest's inserts, and their statements' heads.
const (
	recordRow      = `(?, ?, ?, ?)`
	insertRevision = `INSERT INTO revisions (revision, record_id, base_revision, merged_revision, device_id, team_id, instrument, instrument_version, municipality, status,
		saved_at, received_at, batch_id, content, content_sha256, identity, identity_sha256, size, conflict, format) VALUES `
	revisionRow = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	insertFeed  = `INSERT INTO feed (project_id, team_id, kind, ref) VALUES `
	feedRow     = `(?, ?, 'revision', ?)`
)

// rows is lookupChunk of row, comma-separated.
func rows(row string) string { return strings.TrimSuffix(strings.Repeat(row+", ", lookupChunk), ", ") }

// bucketHas is what a signer's bucket holds now: its tokens refilled at
// rate since it was last touched, at most burst (in CASE rather than
// min/max, which SQLite and PostgreSQL spell differently). Its arguments:
// now, now, rate, burst, burst, now, now, rate.
const (
	bucketRefilled = `b.tokens + CASE WHEN ? > b.at THEN ? - b.at ELSE 0 END * ?`
	bucketHas      = `CASE WHEN ` + bucketRefilled + ` > ? THEN ? ELSE ` + bucketRefilled + ` END`
)

// takeTokenArgs are stTakeToken's arguments, in the order of its
// placeholders.
func takeTokenArgs(signer string, now, rate, burst float64) []any {
	has := []any{now, now, rate, burst, burst, now, now, rate}
	args := append([]any{signer, burst - 1, now}, has...)
	args = append(args, now, now)
	return append(args, has...)
}

const (
	stBatchByID = iota
	stAssigned
	stPublished
	stUsage
	stRevisionsIn
	stRecordsIn
	stInsertRecord
	stInsertRecordChunk
	stFlagSiblings
	stInsertRevision
	stInsertRevisionChunk
	stInsertFeed
	stInsertFeedChunk
	stInsertBatch
	stDeviceGrew
	stTeamGrew
	stInsertHeader
	stUseNonce
	stTakeToken
	stBucket
	stCount
)

// lookupChunk is how many ids of a batch one statement looks up, or how many
// rows it inserts.
const lookupChunk = 50

// places is n placeholders, comma-separated.
func places(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

// prepared holds ingestSQL, prepared.
type prepared [stCount]*sql.Stmt

func (p *prepared) prepare(ctx context.Context, db *db) error {
	return prepareAll(ctx, db, ingestSQL[:], p[:])
}

func (p *prepared) close() error { return closeAll(p[:]) }

// prepareAll prepares each of queries on db into the same place of into.
func prepareAll(ctx context.Context, db *db, queries []string, into []*sql.Stmt) error {
	for i, q := range queries {
		if q == "" {
			return fmt.Errorf("server: statement %d has no SQL", i)
		}
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			return err
		}
		into[i] = st
	}
	return nil
}

// closeAll closes the statements prepareAll prepared.
func closeAll(stmts []*sql.Stmt) error {
	var errs []error
	for i, st := range stmts {
		if st != nil {
			errs = append(errs, st.Close())
			stmts[i] = nil
		}
	}
	return errors.Join(errs...)
}

// txStmts are the prepared statements bound to one transaction, each bound
// the first time it is used.
type txStmts struct {
	ctx   context.Context
	tx    *txn
	p     *prepared
	bound [stCount]*sql.Stmt
}

func (p *prepared) in(ctx context.Context, tx *txn) *txStmts {
	return &txStmts{ctx: ctx, tx: tx, p: p}
}

// get returns statement i bound to the transaction.
func (t *txStmts) get(i int) *sql.Stmt {
	if t.bound[i] == nil {
		t.bound[i] = t.tx.StmtContext(t.ctx, t.p[i])
	}
	return t.bound[i]
}
