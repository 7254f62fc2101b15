// Command sinba-server is the central server of the S.In.Ba pilot and its
// administration: set-up, projects, teams, researchers, enrolment codes,
// assignments, instruments, revocation, review decisions, a status summary,
// and the coordinators' export. Run "sinba-server help" for the list.
package main

import (
	"os"
)

func main() {
	os.Exit(run(env{stdout: os.Stdout, stderr: os.Stderr}, os.Args[1:]))
}
