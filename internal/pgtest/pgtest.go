// Package pgtest starts a throwaway PostgreSQL cluster for tests: initdb in
// a new temporary folder, the postgres server listening on a Unix socket in
// that folder only (no TCP port, so clusters of several test runs never
// collide), fsync off, and everything removed when it stops. A test binary
// that dies (a panic, a timeout) never stops its cluster: its postgres
// follows it (it is sent SIGQUIT when its parent dies), and the next Start
// removes the folder it left (see sweep). It needs
// PostgreSQL's server programs (Debian's postgresql package): on PATH, or
// in the newest /usr/lib/postgresql/*/bin. Run as root, the cluster runs as
// the postgres user, since PostgreSQL refuses to run as root.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvRequire is the environment variable that makes PostgreSQL compulsory:
// with SINBA_TEST_POSTGRES=1 (the test script sets it) a missing
// PostgreSQL fails the tests instead of skipping them.
const EnvRequire = "SINBA_TEST_POSTGRES"

// Required says whether the environment demands PostgreSQL.
func Required() bool { return os.Getenv(EnvRequire) == "1" }

// ErrNotInstalled is returned by Start when PostgreSQL's server programs are
// not found.
var ErrNotInstalled = errors.New("pgtest: PostgreSQL's server programs (initdb, postgres) are not installed: apt-get install postgresql, or see cmd/tools/setup.sh")

// Superuser is the name of the cluster's superuser.
const Superuser = "sinba"

// BinDir finds the folder of initdb and postgres.
func BinDir() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if _, err := os.Stat(filepath.Join(filepath.Dir(p), "postgres")); err == nil {
			return filepath.Dir(p), nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) < version(dirs[j]) })
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "initdb")); err == nil {
			return dirs[i], nil
		}
	}
	return "", ErrNotInstalled
}

func version(bin string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(bin)))
	return v
}

// Cluster is a running throwaway cluster.
type Cluster struct {
	dir  string // the temporary folder: data/, the socket, the log
	cmd  *exec.Cmd
	done chan error
	n    atomic.Int64
}

// Start makes and starts a cluster in a new temporary folder.
func Start() (*Cluster, error) {
	bin, err := BinDir()
	if err != nil {
		return nil, err
	}
	sweep(os.TempDir(), time.Now())
	dir, err := os.MkdirTemp("", dirPrefix)
	if err != nil {
		return nil, err
	}
	c := &Cluster{dir: dir, done: make(chan error, 1)}
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("pgtest: running as root, and no postgres user to run the cluster as: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	run := func(name string, args ...string) *exec.Cmd {
		cmd := exec.Command(filepath.Join(bin, name), args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "LC_ALL=C", "TZ=UTC")
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGQUIT}
		return cmd
	}
	data := filepath.Join(dir, "data")
	if out, err := run("initdb", "-D", data, "-U", Superuser, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync").CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("pgtest: initdb: %w\n%s", err, out)
	}
	log, err := os.Create(filepath.Join(dir, "postgres.log"))
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	defer log.Close()
	c.cmd = run("postgres", "-D", data, "-k", dir, "-h", "", "-F",
		"-c", "full_page_writes=off", "-c", "synchronous_commit=off", "-c", "max_connections=300",
		"-c", "shared_buffers=64MB", "-c", "log_min_messages=warning")
	c.cmd.Stdout, c.cmd.Stderr = log, log
	if err := c.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("pgtest: postgres: %w", err)
	}
	go func() { c.done <- c.cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		conn, err := pgx.Connect(context.Background(), c.URL("postgres"))
		if err == nil {
			conn.Close(context.Background())
			return c, nil
		}
		select {
		case werr := <-c.done:
			out, _ := os.ReadFile(filepath.Join(dir, "postgres.log"))
			os.RemoveAll(dir)
			return nil, fmt.Errorf("pgtest: postgres stopped: %v\n%s", werr, out)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			c.Stop()
			return nil, fmt.Errorf("pgtest: postgres not ready after a minute: %w", err)
		}
	}
}

// dirPrefix begins the name of every cluster's temporary folder.
const dirPrefix = "sinba-pg-"

// sweep removes the folders of clusters whose test binary died without
// stopping them. A running cluster's data folder holds postmaster.pid, which
// postgres writes first thing and removes when it stops, even on the SIGQUIT
// it gets when its test binary dies, and postmaster.opts, which it writes
// after and leaves. So a folder goes when its postmaster.pid names a process
// that is gone (postgres was killed), when it has postmaster.opts without
// postmaster.pid (postgres stopped), or when it has neither an hour after it
// was made (initdb died); another run's cluster, running or still being
// made, is left alone.
func sweep(tmp string, now time.Time) {
	dirs, _ := filepath.Glob(filepath.Join(tmp, dirPrefix+"*"))
	for _, dir := range dirs {
		fi, err := os.Stat(dir)
		if err != nil || !fi.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, "data", "postmaster.pid"))
		switch {
		case err == nil:
			pid, perr := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
			if perr != nil || pid <= 0 || alive(pid) {
				continue
			}
		case errors.Is(err, os.ErrNotExist):
			_, oerr := os.Stat(filepath.Join(dir, "data", "postmaster.opts"))
			if oerr != nil && now.Sub(fi.ModTime()) < time.Hour {
				continue
			}
		default:
			continue
		}
		_ = os.RemoveAll(dir)
	}
}

// alive says whether a process pid exists (one of another user's included).
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// Dir is the cluster's temporary folder; its data directory is Dir()/data.
func (c *Cluster) Dir() string { return c.dir }

// URL is the address of database in the cluster, as the superuser.
func (c *Cluster) URL(database string) string {
	return "postgres://" + Superuser + "@/" + database + "?host=" + c.dir + "&sslmode=disable"
}

// CreateDatabase makes an empty database and returns its URL.
func (c *Cluster) CreateDatabase(ctx context.Context, name string) (string, error) {
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" TEMPLATE template0"); err != nil {
		return "", fmt.Errorf("pgtest: create database %s: %w", name, err)
	}
	return c.URL(name), nil
}

// NewDatabase makes an empty database of a name not used before in the
// cluster and returns its URL.
func (c *Cluster) NewDatabase(ctx context.Context) (string, error) {
	return c.CreateDatabase(ctx, "t"+strconv.FormatInt(c.n.Add(1), 10))
}

// Stop stops the cluster (a fast shutdown: open sessions are ended) and
// removes its folder.
func (c *Cluster) Stop() error {
	var err error
	if c.cmd != nil && c.cmd.Process != nil {
		_ = c.cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-c.done:
		case <-time.After(30 * time.Second):
			_ = c.cmd.Process.Kill()
			<-c.done
			err = errors.New("pgtest: postgres did not stop within 30 s; killed")
		}
	}
	return errors.Join(err, os.RemoveAll(c.dir))
}
