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
	"sort"
	"strings"
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
type Command struct {
	Name  string
	Usage string // one line: arguments after the command name
	Short string // one line: what it does
	Run   func(env Env, args []string) int
}

var commands = map[string]*Command{}

// register adds a command; each command's file calls it from init.
func register(c *Command) {
	if _, dup := commands[c.Name]; dup {
		panic("cli: command registered twice: " + c.Name)
	}
	commands[c.Name] = c
}

// Has reports whether name is a headless command.
func Has(name string) bool {
	_, ok := commands[name]
	return ok || name == "help" || name == "-h" || name == "--help"
}

// Run runs the command named by args[0] and returns the process exit status.
func Run(env Env, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(env.Stdout)
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(env.Stderr, "sinba: comando sconosciuto %q / unknown command %q\n", args[0], args[0])
		usage(env.Stderr)
		return 2
	}
	return c.Run(env, args[1:])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Uso / Usage: sinba [COMANDO] [OPZIONI]")
	fmt.Fprintln(w, "Senza comando apre l'applicazione desktop. / With no command, opens the desktop app.")
	fmt.Fprintln(w)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		c := commands[n]
		fmt.Fprintf(w, "  sinba %-8s %s\n           %s\n", n, c.Usage, c.Short)
	}
}

// newFlagSet makes a flag set that prints its usage and errors to env.Stderr
// and describes the command.
func newFlagSet(env Env, c *Command) *flag.FlagSet {
	fs := flag.NewFlagSet("sinba "+c.Name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "Uso / Usage: sinba %s %s\n%s\n", c.Name, c.Usage, c.Short)
		fs.PrintDefaults()
	}
	return fs
}

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
