// Package cli holds the headless commands of the desktop app (sinba cf,
// sinba check, sinba init, sinba sync, ...). Regional IT staff script them, so
// their flags and output are stable. The package never imports fyne: the
// commands build and test without cgo.
package cli

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"sinba/cmd/internal/subcmd"
)

// Env is what a command sees of the outside world; tests pass their own.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
}

// OSEnv is the environment of the running process.
func OSEnv() Env {
	return Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
}

// Command is one headless command.
type Command = subcmd.Command[Env]

var commands = &subcmd.Table[Env]{
	Prog: "sinba",
	Header: []string{
		"Uso / Usage: sinba [COMANDO] [OPZIONI]   (sinba COMANDO --help)",
		"Senza comando apre l'applicazione desktop. / With no command, opens the desktop app.",
		"",
	},
}

// register adds a command; each command's file calls it from init.
func register(c *Command) { commands.Register(c) }

// command returns the registered command called name.
func command(name string) *Command {
	c, _ := commands.Get(name)
	return c
}

// Has reports whether name is a headless command.
func Has(name string) bool { return commands.Has(name) }

// Run runs the command named by args[0] and returns the process exit status.
func Run(env Env, args []string) int { return commands.Run(env, env.Stdout, env.Stderr, args) }

// newFlagSet makes a flag set that prints its usage and errors to env.Stderr
// and describes the command.
func newFlagSet(env Env, c *Command) *flag.FlagSet { return commands.FlagSet(c, env.Stderr) }

// parseFlags parses args; it returns the exit status to use when the command
// must stop (0 after --help, 2 on a bad flag) and ok=false.
func parseFlags(fs *flag.FlagSet, args []string) (status int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0, false
		}
		return 2, false
	}
	return 0, true
}

// fail prints a message for a person to stderr and returns status 1.
func fail(env Env, format string, a ...any) int {
	msg := fmt.Sprintf(format, a...)
	if !strings.HasSuffix(msg, "\n") {
		msg += "\n"
	}
	fmt.Fprint(env.Stderr, "sinba: "+msg)
	return 1
}

// count writes n with the Italian noun or adjective that agrees with it:
// count(1, "scheda", "schede") is "1 scheda", count(2, ...) "2 schede".
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
