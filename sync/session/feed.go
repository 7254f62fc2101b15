package session

import (
	"context"
	"strconv"

	"sinba/sync/wire"
)

// Secrets is where an app keeps what it must remember between runs, sealed
// (a localdb.Store).
type Secrets interface {
	Secret(ctx context.Context, key string) ([]byte, error)
	SetSecret(ctx context.Context, key string, value []byte) error
}

// Cursor is where an app has read its feed to, kept under Key with the
// wire format it was read in under FormatKey. A cursor read in format 1
// counts for nothing in format 2 (the server left format-2 revisions out of
// a format-1 feed), so an app moving to format 2 reads its feed again once
// from the start; applying a revision twice is harmless (localdb is
// idempotent by revision).
type Cursor struct {
	Key, FormatKey string
	Format         int // the format the app reads in: wire.FormatV1 or wire.FormatV2
}

// Load returns the saved cursor; 0 when there is none, or when it was read
// in an older format.
func (c Cursor) Load(ctx context.Context, st Secrets) int64 {
	if c.Format >= wire.FormatV2 && !c.readIn2(ctx, st) {
		return 0
	}
	data, err := st.Secret(ctx, c.Key)
	if err != nil {
		return 0
	}
	n, _ := strconv.ParseInt(string(data), 10, 64)
	return n
}

// Save keeps where the feed was read to, and in which format.
func (c Cursor) Save(ctx context.Context, st Secrets, cursor int64) error {
	if err := st.SetSecret(ctx, c.Key, []byte(strconv.FormatInt(cursor, 10))); err != nil {
		return err
	}
	if c.Format >= wire.FormatV2 && !c.readIn2(ctx, st) {
		return st.SetSecret(ctx, c.FormatKey, []byte(strconv.Itoa(wire.FormatV2)))
	}
	return nil
}

func (c Cursor) readIn2(ctx context.Context, st Secrets) bool {
	data, err := st.Secret(ctx, c.FormatKey)
	return err == nil && string(data) == strconv.Itoa(wire.FormatV2)
}

// FeedPath is the path of the feed page after cursor, in format (format 1
// is the default the server assumes).
func FeedPath(path string, cursor int64, format int) string {
	path += "?cursor=" + strconv.FormatInt(cursor, 10)
	if format >= wire.FormatV2 {
		path += "&" + wire.QueryFormat + "=" + strconv.Itoa(wire.FormatV2)
	}
	return path
}

// Feed is how Follow reads one feed: Fetch gets the page after a cursor,
// End says where a page ends and whether more follow, Apply applies a page
// (false: what it holds cannot be applied yet, stop before its cursor is
// saved), Save keeps the cursor after each page applied.
type Feed[P any] struct {
	Fetch func(ctx context.Context, cursor int64) (*P, error)
	End   func(*P) (cursor int64, more bool)
	Apply func(*P) (bool, error)
	Save  func(cursor int64) error
}

// Follow applies a feed page after page from cursor on, starting with first
// when the caller has already fetched it (nil: it is fetched), and saves the
// cursor after each page, so a run cut anywhere starts again where it
// stopped. A page that moves the cursor nowhere writes nothing: an idle
// round stays a read.
func (f Feed[P]) Follow(ctx context.Context, cursor int64, first *P) error {
	page := first
	for {
		if page == nil {
			var err error
			if page, err = f.Fetch(ctx, cursor); err != nil {
				return err
			}
		}
		ok, err := f.Apply(page)
		if err != nil || !ok {
			return err
		}
		next, more := f.End(page)
		if next != cursor {
			if err := f.Save(next); err != nil {
				return err
			}
			cursor = next
		}
		if !more {
			return nil
		}
		page = nil
	}
}

// InFeedOrder applies a page's revisions and review decisions merged in
// feed order (by their sequence numbers, each list already in order): a
// colleague's correction builds on a review decision, and a decision on a
// revision. applyRevision gets the revision's index in the page too (for
// what was opened ahead of it).
func InFeedOrder[R, V any](revisions []R, reviews []V, revisionSeq func(*R) int64, reviewSeq func(*V) int64,
	applyRevision func(i int, r *R) error, applyReview func(*V) error) error {
	ri, vi := 0, 0
	for ri < len(revisions) || vi < len(reviews) {
		if vi < len(reviews) && (ri == len(revisions) || reviewSeq(&reviews[vi]) < revisionSeq(&revisions[ri])) {
			if err := applyReview(&reviews[vi]); err != nil {
				return err
			}
			vi++
			continue
		}
		if err := applyRevision(ri, &revisions[ri]); err != nil {
			return err
		}
		ri++
	}
	return nil
}
