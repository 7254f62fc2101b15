package cli

import (
	"bufio"
	"encoding/json"
	"strings"

	"sinba/survey"
)

func init() {
	register(&Command{
		Name:  "cf",
		Usage: "CODICE... (o uno per riga da stdin / or one per line on stdin)",
		Short: "verifica e decodifica codici fiscali, una riga JSON per codice / checks and decodes codici fiscali, one JSON line per code",
		Run:   runCF,
	})
}

// runCF prints, for each code, one JSON object:
// {"code","valid","birth_date","sex","birthplace","birthplace_name","omocode","normalized"},
// "reason": {"it","en"} for a code that is not valid, and "temporary": true
// for an 11-digit temporary code. A line of standard
// input is one code, spaces and dashes inside it included.
// The exit status is 0 only when every code is valid.
func runCF(env Env, args []string) int {
	c := command("cf")
	fs := newFlagSet(env, c)
	if status, ok := parseFlags(fs, args); !ok {
		return status
	}
	codes := fs.Args()
	if len(codes) == 0 {
		sc := bufio.NewScanner(env.Stdin)
		for sc.Scan() {
			if s := strings.TrimSpace(sc.Text()); s != "" {
				codes = append(codes, s)
			}
		}
		if err := sc.Err(); err != nil {
			return fail(env, "lettura di stdin / reading stdin: %v", err)
		}
	}
	if len(codes) == 0 {
		fs.Usage()
		return 2
	}
	d, err := loadDomain()
	if err != nil {
		return fail(env, "%v", err)
	}
	enc := json.NewEncoder(env.Stdout)
	enc.SetEscapeHTML(false)
	status := 0
	for _, code := range codes {
		fc := survey.DecodeFiscalCode(code, d.ref)
		if !fc.Valid {
			status = 1
		}
		if err := enc.Encode(fc); err != nil {
			return fail(env, "scrittura / writing: %v", err)
		}
	}
	return status
}
