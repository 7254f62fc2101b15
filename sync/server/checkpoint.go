package server

import (
	"database/sql"
	"time"
)

// SQLite copies its write-ahead log back into the database file in a
// checkpoint, which ends with an fsync of the database file. By default the
// connection that commits does it, once the log passes 1,000 pages, while it
// still holds the one write lock: under a steady stream of batches a third
// of the writer's time went into those fsyncs, with every other write (the
// nonces of signed requests too) waiting behind it. The checkpointer runs
// passive checkpoints on a connection of its own instead, which copy what
// is committed while the writer goes on; the writer still checkpoints
// itself past walAutoCheckpoint pages, so the log stays bounded when the
// checkpointer cannot keep up or a reader holds an old snapshot.
const (
	checkpointEvery   = 500 * time.Millisecond
	walAutoCheckpoint = 16384 // pages (64 MiB of 4 KiB pages)
)

type checkpointer struct {
	db   *sql.DB
	quit chan struct{}
	done chan struct{}
}

func startCheckpointer(dsn string) (*checkpointer, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	c := &checkpointer{db: db, quit: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c, nil
}

func (c *checkpointer) run() {
	defer close(c.done)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-c.quit:
			return
		case <-t.C:
			// A checkpoint that could not finish (a reader's snapshot, the
			// writer's new pages) is taken up again at the next tick.
			_, _ = c.db.Exec(`PRAGMA wal_checkpoint(PASSIVE)`)
		}
	}
}

// stop ends the checkpointer; nil does nothing.
func (c *checkpointer) stop() error {
	if c == nil {
		return nil
	}
	close(c.quit)
	<-c.done
	return c.db.Close()
}

// writerCacheKiB is the writing connection's page cache. SQLite's default
// (2 MiB) holds only the top of the indexes of a database of some hundred
// MiB: every other page the ingest reads is a system call and a parse.
const writerCacheKiB = 64 << 10
