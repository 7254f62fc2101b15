package server_test

import (
	"os"
	"testing"

	"sinba/internal/storetest"
)

// The server's tests run once on each backend (storetest.Backends): on
// SQLite, and on PostgreSQL in a throwaway cluster.
func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }
