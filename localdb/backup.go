package localdb

import (
	"bufio"
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/crypto/chacha20poly1305"

	"sinba/survey"
)

// A backup is one file: a magic line, a length-prefixed JSON header with the
// two key wraps (the same as in the store, so the file opens on another
// laptop with the passphrase or the recovery key), then a consistent copy of
// the database encrypted in 64 KiB chunks with XChaCha20-Poly1305 in the
// STREAM construction (counter and last-chunk flag in the nonce, the header
// hash as associated data): chunks cannot be reordered, dropped or cut off
// at the end without the restore noticing.
const (
	backupMagic = "SINBA-BACKUP v1\n"
	backupChunk = 64 * 1024
	maxHeader   = 64 * 1024
)

type backupHeader struct {
	Created     time.Time  `json:"created"`
	Schema      int        `json:"schema"`
	Slots       []*keySlot `json:"slots"`
	Salt        []byte     `json:"salt"`         // for the file key, derived from the data key
	NoncePrefix []byte     `json:"nonce_prefix"` // 16 random bytes
}

func fileKey(data, salt []byte) ([]byte, error) {
	return hkdf.Key(sha256.New, data, salt, "sinba localdb backup v1", keySize)
}

func chunkNonce(prefix []byte, n uint64, last bool) []byte {
	nonce := make([]byte, chacha20poly1305.NonceSizeX)
	copy(nonce, prefix)
	binary.BigEndian.PutUint64(nonce[15:23], n) // byte 15 is zero: 2^56 chunks is plenty
	if last {
		nonce[23] = 1
	}
	return nonce
}

// Backup writes an encrypted copy of the whole store to path, atomically:
// it appears complete or not at all.
func (s *Store) Backup(ctx context.Context, path string) error {
	release, err := s.begin()
	if err != nil {
		return err
	}
	defer release()
	snap := filepath.Join(s.dir, fmt.Sprintf(".backup-%d.db", time.Now().UnixNano()))
	defer os.Remove(snap)
	// VACUUM INTO gives a consistent, compact copy even while sync runs; the
	// copy holds only what the store holds (ciphertext and plain columns),
	// inside the data folder, and is removed below.
	if _, err := s.w.ExecContext(ctx, `VACUUM INTO ?`, snap); err != nil {
		return dbError("backup", err)
	}
	slots, err := readSlots(ctx, s.r)
	if err != nil {
		return err
	}
	hdr := backupHeader{Created: s.now().UTC(), Schema: SchemaVersion(), Salt: randBytes(saltSize), NoncePrefix: randBytes(16)}
	for _, name := range []string{slotPassphrase, slotRecovery} {
		if sl := slots[name]; sl != nil {
			hdr.Slots = append(hdr.Slots, sl)
		}
	}
	key, err := fileKey(s.k.data, hdr.Salt)
	if err != nil {
		return err
	}
	defer clear(key)
	in, err := os.Open(snap)
	if err != nil {
		return fmt.Errorf("localdb: backup: %w", err)
	}
	defer in.Close()
	tmp := path + ".tmp"
	out, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, fileMode)
	if err == nil {
		err = out.Chmod(fileMode) // a leftover file keeps its mode otherwise
	}
	if err != nil {
		return survey.Errorf("impossibile scrivere il backup: %w", "cannot write the backup: %w", err)
	}
	err = writeBackup(out, in, &hdr, key)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return dbError("backup", err)
	}
	syncDir(filepath.Dir(path))
	return s.audit(ctx, "", "backup", "", "", filepath.Base(path))
}

func writeBackup(out io.Writer, in io.Reader, hdr *backupHeader, key []byte) error {
	hb, err := json.Marshal(hdr)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(out, 256*1024)
	bw.WriteString(backupMagic)
	binary.Write(bw, binary.BigEndian, uint32(len(hb)))
	bw.Write(hb)
	ad := sha256.Sum256(hb)
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return err
	}
	// Read one chunk ahead to know which chunk is the last.
	cur := make([]byte, backupChunk)
	next := make([]byte, backupChunk)
	n, err := io.ReadFull(in, cur)
	var ct []byte
	for i := uint64(0); ; i++ {
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
			return err
		}
		last := err != nil
		var m int
		var nerr error
		if !last {
			m, nerr = io.ReadFull(in, next)
			if errors.Is(nerr, io.EOF) {
				last = true
			}
		}
		ct = aead.Seal(ct[:0], chunkNonce(hdr.NoncePrefix, i, last), cur[:n], ad[:])
		if _, werr := bw.Write(ct); werr != nil {
			return werr
		}
		if last {
			break
		}
		cur, next, n, err = next, cur, m, nerr
	}
	return bw.Flush()
}

// Credentials open a store or a backup: the passphrase, or else the
// recovery key.
type Credentials struct {
	Passphrase  []byte
	RecoveryKey string
}

func (c Credentials) unwrap(slots []*keySlot) ([]byte, error) {
	find := func(name string) *keySlot {
		for _, s := range slots {
			if s.Slot == name {
				return s
			}
		}
		return nil
	}
	if len(c.Passphrase) > 0 {
		s := find(slotPassphrase)
		if s == nil {
			return nil, ErrNotBackup
		}
		return s.unwrap(c.Passphrase)
	}
	rk, err := parseRecoveryKey(c.RecoveryKey)
	if err != nil {
		return nil, err
	}
	defer clear(rk)
	s := find(slotRecovery)
	if s == nil {
		return nil, ErrNotBackup
	}
	return s.unwrap(rk)
}

// Restore puts the store saved in a backup file into dir, which may be on
// another laptop. The file opens with the passphrase it had when the backup
// was made, or with the recovery key. An existing store in dir is refused
// unless replace is set; then it is kept beside, renamed
// sinba.db.before-restore-TIME, never deleted.
func Restore(ctx context.Context, backupFile, dir string, c Credentials, replace bool) error {
	return RestoreWith(ctx, backupFile, dir, c, replace, Options{})
}

// RestoreWith is Restore with options.
func RestoreWith(ctx context.Context, backupFile, dir string, c Credentials, replace bool, o Options) error {
	if Exists(dir) && !replace {
		return ErrStoreExists
	}
	f, err := os.Open(backupFile)
	if err != nil {
		return survey.Errorf("impossibile aprire il backup: %w", "cannot open the backup: %w", err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 256*1024)
	hdr, hb, err := readBackupHeader(br)
	if err != nil {
		return err
	}
	if hdr.Schema > SchemaVersion() {
		return ErrSchemaTooNew
	}
	data, err := c.unwrap(hdr.Slots)
	if err != nil {
		return err
	}
	defer clear(data)
	key, err := fileKey(data, hdr.Salt)
	if err != nil {
		return err
	}
	defer clear(key)
	if err := secureDir(dir); err != nil {
		return fmt.Errorf("localdb: cannot create the data folder: %w", err)
	}
	tmp := dbPath(dir) + ".restore"
	for _, p := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
		os.Remove(p)
	}
	out, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, fileMode)
	if err == nil {
		err = out.Chmod(fileMode)
	}
	if err != nil {
		return fmt.Errorf("localdb: restore: %w", err)
	}
	err = readBackupBody(out, br, hdr, hb, key)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return dbError("restore", err)
	}
	if Exists(dir) {
		aside := dbPath(dir) + ".before-restore-" + time.Now().UTC().Format("20060102T150405")
		for _, ext := range []string{"", "-wal", "-shm"} {
			if _, err := os.Stat(dbPath(dir) + ext); err == nil {
				if err := os.Rename(dbPath(dir)+ext, aside+ext); err != nil {
					os.Remove(tmp)
					return fmt.Errorf("localdb: restore: %w", err)
				}
			}
		}
	}
	if err := os.Rename(tmp, dbPath(dir)); err != nil {
		return fmt.Errorf("localdb: restore: %w", err)
	}
	syncDir(dir)
	// Unlock once with the key just recovered: it checks the restored file
	// end to end, moves an older schema forward and leaves a trace.
	st, err := unlock(dir, o, func(map[string]*keySlot) ([]byte, error) {
		return append([]byte(nil), data...), nil
	}, "restore")
	if err != nil {
		return err
	}
	return st.Close()
}

func readBackupHeader(br *bufio.Reader) (*backupHeader, []byte, error) {
	magic := make([]byte, len(backupMagic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != backupMagic {
		return nil, nil, ErrNotBackup
	}
	var n uint32
	if err := binary.Read(br, binary.BigEndian, &n); err != nil || n > maxHeader {
		return nil, nil, ErrNotBackup
	}
	hb := make([]byte, n)
	if _, err := io.ReadFull(br, hb); err != nil {
		return nil, nil, ErrNotBackup
	}
	var hdr backupHeader
	if err := json.Unmarshal(hb, &hdr); err != nil || len(hdr.NoncePrefix) != 16 || len(hdr.Slots) == 0 {
		return nil, nil, ErrNotBackup
	}
	return &hdr, hb, nil
}

func readBackupBody(out io.Writer, in io.Reader, hdr *backupHeader, hb, key []byte) error {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return err
	}
	ad := sha256.Sum256(hb)
	buf := make([]byte, backupChunk+aead.Overhead())
	var pt []byte
	for i := uint64(0); ; i++ {
		n, err := io.ReadFull(in, buf)
		short := errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
		if err != nil && !short {
			return err
		}
		// A full chunk is normally not the last; the last one can be full
		// only when the database size is a multiple of the chunk size.
		var oerr error
		last := short
		pt, oerr = aead.Open(pt[:0], chunkNonce(hdr.NoncePrefix, i, last), buf[:n], ad[:])
		if oerr != nil && !short {
			last = true
			pt, oerr = aead.Open(pt[:0], chunkNonce(hdr.NoncePrefix, i, true), buf[:n], ad[:])
		}
		if oerr != nil {
			return fmt.Errorf("%w (chunk %d)", ErrNotBackup, i)
		}
		if _, err := out.Write(pt); err != nil {
			return err
		}
		if last {
			if _, err := in.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
				return fmt.Errorf("%w (data after the last chunk)", ErrNotBackup)
			}
			return nil
		}
	}
}
