package localdb

import "context"

// Log appends an entry to the sealed audit trail, for actions that happen
// outside the store but must be traced in it: a coordinator's review
// decision, an export that leaves the app (what, where, how many).
func (s *Store) Log(ctx context.Context, actor, action, recordID, detail string) error {
	release, err := s.begin()
	if err != nil {
		return err
	}
	defer release()
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.audit(ctx, actor, action, recordID, "", detail)
}
