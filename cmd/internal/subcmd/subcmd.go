// Package subcmd is the command table that the programs' headless commands
// share (sinba, sinba coord, sinba-server): dispatch by name, the listing
// printed by help, and flag sets that explain their command. E is what a
// command sees of the outside world, each program's own.
package subcmd

import (
	"flag"
	"fmt"
	"io"
	"sort"
)

// Command is one headless command.
type Command[E any] struct {
	Name  string
	Usage string // one line: the arguments after the command's name
	Short string // one line: what it does
	Run   func(env E, args []string) int
}

// Table is a program's commands.
type Table[E any] struct {
	Prog   string   // how the commands are called: "sinba", "sinba coord", "sinba-server"
	Header []string // lines printed above the listing
	Footer []string // lines printed below it
	cmds   map[string]*Command[E]
}

// Register adds c; a name registered twice is a programming error.
func (t *Table[E]) Register(c *Command[E]) {
	if t.cmds == nil {
		t.cmds = map[string]*Command[E]{}
	}
	if _, dup := t.cmds[c.Name]; dup {
		panic(t.Prog + ": command registered twice: " + c.Name)
	}
	t.cmds[c.Name] = c
}

// Get returns the command called name.
func (t *Table[E]) Get(name string) (*Command[E], bool) {
	c, ok := t.cmds[name]
	return c, ok
}

// Names returns the commands' names in alphabetical order.
func (t *Table[E]) Names() []string {
	names := make([]string, 0, len(t.cmds))
	for n := range t.cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// IsHelp reports whether arg asks for the listing.
func IsHelp(arg string) bool { return arg == "help" || arg == "-h" || arg == "--help" }

// Has reports whether name is one of the commands, or help.
func (t *Table[E]) Has(name string) bool {
	_, ok := t.cmds[name]
	return ok || IsHelp(name)
}

// Run runs the command that args[0] names and returns the exit status: 0
// after help, 2 for an unknown command (with the listing on stderr).
func (t *Table[E]) Run(env E, stdout, stderr io.Writer, args []string) int {
	if len(args) == 0 || IsHelp(args[0]) {
		t.Usage(stdout)
		return 0
	}
	c, ok := t.cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "%s: comando sconosciuto %q / unknown command %q\n", t.Prog, args[0], args[0])
		t.Usage(stderr)
		return 2
	}
	return c.Run(env, args[1:])
}

// Usage prints the header, every command with its arguments and what it
// does, in alphabetical order, and the footer.
func (t *Table[E]) Usage(w io.Writer) {
	for _, l := range t.Header {
		fmt.Fprintln(w, l)
	}
	for _, n := range t.Names() {
		c := t.cmds[n]
		fmt.Fprintf(w, "  %s %-10s %s\n      %s\n", t.Prog, n, c.Usage, c.Short)
	}
	for _, l := range t.Footer {
		fmt.Fprintln(w, l)
	}
}

// FlagSet makes the flag set of c: errors and --help go to stderr, and the
// help says how the command is called and what it does.
func (t *Table[E]) FlagSet(c *Command[E], stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(t.Prog+" "+c.Name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Uso / Usage: %s %s %s\n%s\n", t.Prog, c.Name, c.Usage, c.Short)
		fs.PrintDefaults()
	}
	return fs
}
