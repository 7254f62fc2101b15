// Command sinba is the desktop app of the S.In.Ba pilot survey. With no
// command it opens the app's window; with a command (sinba init, sinba sync,
// sinba cf, ...) it runs that headless and exits. See `sinba help`.
package main

import (
	// The C locale must read as C before Fyne initialises: see clocale.
	_ "sinba/cmd/sinba/internal/clocale"

	"flag"
	"fmt"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"sinba/assets"
	"sinba/cmd/sinba/internal/backend"
	"sinba/cmd/sinba/internal/cli"
	"sinba/ui"
	"sinba/ui/coordinator"
	"sinba/ui/palette"
)

// The app's metadata; a test keeps it equal to FyneApp.toml.
const (
	appID      = "org.sinba.desktop"
	appName    = "sinba"
	appVersion = "0.1.0"
	appBuild   = 1
)

func main() {
	if len(os.Args) > 1 && cli.Has(os.Args[1]) {
		os.Exit(cli.Run(cli.OSEnv(), os.Args[1:]))
	}
	os.Exit(runDesktop(os.Args[1:]))
}

func runDesktop(args []string) int {
	fs := flag.NewFlagSet("sinba", flag.ContinueOnError)
	dataDir := fs.String("data", "", "cartella dei dati / data folder (default: "+backend.DefaultDataDir()+")")
	server := fs.String("server", "", "indirizzo del server, precompilato / server address to prefill")
	code := fs.String("code", "", "codice di iscrizione, precompilato / enrolment code to prefill")
	language := fs.String("lang", "", "lingua: it o en / language: it or en")
	coordinatorMode := fs.Bool("coordinator", false, "apre il profilo di coordinamento (default --data: "+backend.DefaultCoordinatorDir()+") / opens the coordinator profile")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		fmt.Fprintln(os.Stderr, "sinba help: elenca i comandi / lists the commands")
		return 2
	}
	dir := *dataDir
	if dir == "" {
		dir = backend.DefaultDataDir()
		if *coordinatorMode {
			dir = backend.DefaultCoordinatorDir()
		}
	}

	icon := fyne.NewStaticResource("icon.png", assets.Icon)
	app.SetMetadata(fyne.AppMetadata{ID: appID, Name: appName, Version: appVersion, Build: appBuild,
		Icon: icon, Migrations: map[string]bool{"fyneDo": true}})
	a := app.NewWithID(appID)
	a.SetIcon(icon)
	a.Settings().SetTheme(palette.AppTheme())

	if *language == "it" || *language == "en" {
		a.Preferences().SetString(ui.PrefLanguage, *language)
	}
	readTranslation := func(name string) ([]byte, error) {
		return assets.Translations.ReadFile("translations/" + name)
	}
	if err := ui.LoadTranslations(readTranslation, a.Preferences().StringWithFallback(ui.PrefLanguage, "it")); err != nil {
		fmt.Fprintln(os.Stderr, "sinba: traduzioni non caricate / translations not loaded:", err)
	}
	instruments, err := backend.LoadInstruments()
	if err != nil {
		fmt.Fprintln(os.Stderr, "sinba: definizioni delle schede non caricate / instrument definitions not loaded:", err)
		return 1
	}

	w := a.NewWindow(appName)
	w.Resize(fyne.NewSize(1024, 720))
	if *coordinatorMode {
		lang := a.Preferences().StringWithFallback(ui.PrefLanguage, "it")
		profile := &backend.CoordinatorProfile{Folder: dir, Language: lang}
		coordinator.Start(w, lang, profile, coordinator.StartOptions{Server: *server, Code: *code, Printer: instruments})
		w.SetOnClosed(profile.Close)
		w.ShowAndRun()
		return 0
	}
	u := ui.New(w, ui.Options{
		Vault:        &backend.Vault{Dir: dir, Instruments: instruments},
		Instruments:  instruments,
		Syncer:       backend.NewSyncer,
		Translations: readTranslation,
		ServerURL:    *server,
		EnrolCode:    *code,
	})
	w.SetOnClosed(u.Close)
	u.Start()
	w.ShowAndRun()
	return 0
}
