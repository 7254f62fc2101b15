package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"sinba/assets"
	"sinba/survey"
	"sinba/sync/seal"
	"sinba/sync/wire"
)

// The coordinators' API: the same signed requests as the laptops', through
// the same authentication path, on routes of the coordinator role. Everything a coordinator's app can reach is
// scoped to its own project.

func (s *Server) routeCoordinators() {
	read := route{role: wire.RoleCoordinator, limit: smallBody}
	write := route{role: wire.RoleCoordinator, limit: smallBody, idempotent: true}
	s.mux.HandleFunc("GET "+wire.PathCoordProject, s.authed(read, s.handleCoordProject))
	s.mux.HandleFunc("POST "+wire.PathCoordSecret, s.authed(route{role: wire.RoleCoordinator, limit: 16 << 10, idempotent: true}, s.handleCoordSecret))
	s.mux.HandleFunc("GET "+wire.PathCoordRevisions, s.authed(read, s.handleCoordRevisions))
	s.mux.HandleFunc("POST "+wire.PathCoordReviews, s.authed(route{role: wire.RoleCoordinator, limit: 256 << 10, idempotent: true}, s.handleCoordReview))
	s.mux.HandleFunc("GET "+wire.PathCoordTeams, s.authed(read, s.handleCoordTeams))
	s.mux.HandleFunc("POST "+wire.PathCoordTeams, s.authed(write, s.handleCoordNewTeam))
	s.mux.HandleFunc("POST "+wire.PathCoordResearchers, s.authed(write, s.handleCoordNewResearcher))
	s.mux.HandleFunc("POST "+wire.PathCoordCodes, s.authed(write, s.handleCoordCode))
	s.mux.HandleFunc("POST "+wire.PathCoordAssignments, s.authed(write, s.handleCoordAssign))
	s.mux.HandleFunc("GET "+wire.PathCoordInstruments, s.authed(read, s.handleCoordInstruments))
	s.mux.HandleFunc("POST "+wire.PathCoordInstruments, s.authed(route{role: wire.RoleCoordinator, limit: s.cfg.Limits.MaxCompressed, heavy: true, idempotent: true}, s.handleCoordPublish))
	s.mux.HandleFunc("GET "+wire.PathCoordGrants, s.authed(read, s.handleCoordPending))
	s.mux.HandleFunc("POST "+wire.PathCoordGrants, s.authed(route{role: wire.RoleCoordinator, limit: 1 << 20, idempotent: true}, s.handleCoordGrants))
}

// decode reads a JSON request body; false means the refusal was sent.
func (s *Server) decode(w http.ResponseWriter, r *http.Request, body []byte, v any) bool {
	if err := json.Unmarshal(body, v); err != nil {
		s.refuse(w, r, wire.Errorf(wire.CodeInvalid, "richiesta non leggibile", "unreadable request"), 0)
		return false
	}
	return true
}

// answer sends v, or the refusal, or a logged internal error.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, v any, refusal *wire.Error, err error) {
	switch {
	case err != nil:
		s.fail(w, r, err)
	case refusal != nil:
		s.refuse(w, r, refusal, 0)
	default:
		writeJSON(w, http.StatusOK, v)
	}
}

// refusalOf turns what the admin functions return for a person's mistake
// (something not found, a name used twice) into a refusal; anything else
// stays an internal error, whose text never reaches the client.
func refusalOf(err error) (*wire.Error, error) {
	if errors.Is(err, ErrNotFound) {
		return wire.Errorf(wire.CodeNotFound, "squadra o rilevatore non trovati nel progetto", "team or researcher not found in the project"), nil
	}
	if err != nil && strings.Contains(err.Error(), "più d'uno con questo nome") {
		return wire.Errorf(wire.CodeInvalid, "più d'uno con questo nome: usare l'identificativo", "more than one with this name: use the id"), nil
	}
	return nil, err
}

func (s *Server) handleCoordProject(w http.ResponseWriter, r *http.Request, c *Principal, _ []byte) {
	p, err := s.store.Project(r.Context(), c.ProjectID)
	s.answer(w, r, p, nil, err)
}

func (s *Server) handleCoordSecret(w http.ResponseWriter, r *http.Request, c *Principal, body []byte) {
	var req wire.SecretRequest
	if !s.decode(w, r, body, &req) {
		return
	}
	refusal, err := s.store.SetProjectSecret(r.Context(), c.ProjectID, req.Secret)
	s.answer(w, r, struct{}{}, refusal, err)
}

func (s *Server) handleCoordRevisions(w http.ResponseWriter, r *http.Request, c *Principal, _ []byte) {
	page, err := s.store.CoordRevisions(r.Context(), c.ProjectID, cursorOf(r), s.cfg.ChangesLimit, formatOf(r.URL.Query()))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writePage(w, r, page)
}

func (s *Server) handleCoordReview(w http.ResponseWriter, r *http.Request, c *Principal, body []byte) {
	var req wire.ReviewRequest
	if !s.decode(w, r, body, &req) {
		return
	}
	resp, refusal, err := s.store.AddSealedReview(r.Context(), c.ProjectID, &req)
	if refusal == nil && err == nil {
		s.log.Info("review", "coordinator", c.ID, "review", req.ID, "decision", req.Decision, "duplicate", resp.Duplicate)
	}
	s.answer(w, r, resp, refusal, err)
}

func (s *Server) handleCoordTeams(w http.ResponseWriter, r *http.Request, c *Principal, _ []byte) {
	teams, err := s.store.Teams(r.Context(), c.ProjectID)
	s.answer(w, r, wire.Teams{Teams: teams}, nil, err)
}

// checkName refuses an empty or overlong name.
func checkName(name string) *wire.Error {
	if name == "" || len(name) > 100 {
		return wire.Errorf(wire.CodeInvalid, "nome mancante o troppo lungo (massimo 100 caratteri)", "name missing or too long (at most 100 characters)")
	}
	return nil
}

// named decodes a NameRequest and checks its name; false means the refusal
// was sent.
func (s *Server) named(w http.ResponseWriter, r *http.Request, body []byte) (wire.NameRequest, bool) {
	var req wire.NameRequest
	if !s.decode(w, r, body, &req) {
		return req, false
	}
	req.Name = strings.TrimSpace(req.Name)
	if e := checkName(req.Name); e != nil {
		s.refuse(w, r, e, 0)
		return req, false
	}
	return req, true
}

// resolveIn resolves a team or researcher of the coordinator's project;
// false means the refusal (or the internal error) was sent.
func (s *Server) resolveIn(w http.ResponseWriter, r *http.Request, c *Principal, table, ref string) (string, bool) {
	id, err := s.store.inProject(r.Context(), c.ProjectID, table, ref)
	if err != nil {
		refusal, err := refusalOf(err)
		s.answer(w, r, nil, refusal, err)
		return "", false
	}
	return id, true
}

func (s *Server) handleCoordNewTeam(w http.ResponseWriter, r *http.Request, c *Principal, body []byte) {
	req, ok := s.named(w, r, body)
	if !ok {
		return
	}
	name := req.Name
	if _, err := s.store.inProject(r.Context(), c.ProjectID, "teams", name); err == nil {
		s.refuse(w, r, wire.Errorf(wire.CodeConflict, "esiste già una squadra con questo nome", "a team with this name already exists"), 0)
		return
	}
	id, err := s.store.CreateTeam(r.Context(), c.ProjectID, name)
	s.answer(w, r, wire.Created{ID: id}, nil, err)
}

func (s *Server) handleCoordNewResearcher(w http.ResponseWriter, r *http.Request, c *Principal, body []byte) {
	req, ok := s.named(w, r, body)
	if !ok {
		return
	}
	team, ok := s.resolveIn(w, r, c, "teams", req.Parent)
	if !ok {
		return
	}
	id, err := s.store.CreateResearcher(r.Context(), team, req.Name)
	s.answer(w, r, wire.Created{ID: id}, nil, err)
}

func (s *Server) handleCoordCode(w http.ResponseWriter, r *http.Request, c *Principal, body []byte) {
	var req wire.CodeRequest
	if !s.decode(w, r, body, &req) {
		return
	}
	ttl := time.Duration(req.TTLSeconds) * time.Second
	if ttl == 0 {
		ttl = 72 * time.Hour
	}
	if ttl < time.Minute || ttl > 30*24*time.Hour {
		s.refuse(w, r, wire.Errorf(wire.CodeInvalid, "validità del codice tra un minuto e 30 giorni", "code validity between one minute and 30 days"), 0)
		return
	}
	var code string
	var exp time.Time
	var err error
	if req.Coordinator {
		code, exp, err = s.store.CreateCoordinatorCode(r.Context(), c.ProjectID, ttl)
	} else {
		rid, ok := s.resolveIn(w, r, c, "researchers", req.Researcher)
		if !ok {
			return
		}
		code, exp, err = s.store.CreateCodeByCoordinator(r.Context(), c.ID, rid, ttl)
		if errors.Is(err, ErrProjectNotReady) {
			s.refuse(w, r, ErrProjectNotReady, 0)
			return
		}
	}
	if err == nil {
		s.log.Info("enrolment code made", "coordinator", c.ID, "for_coordinator", req.Coordinator)
	}
	s.answer(w, r, wire.CodeResponse{Code: code, Expires: exp.UTC()}, nil, err)
}

func (s *Server) handleCoordAssign(w http.ResponseWriter, r *http.Request, c *Principal, body []byte) {
	var req wire.AssignRequest
	if !s.decode(w, r, body, &req) {
		return
	}
	if !municipalityRE.MatchString(req.Municipality) {
		s.refuse(w, r, wire.Errorf(wire.CodeInvalid, "codice ISTAT non valido (6 cifre)", "invalid ISTAT code (6 digits)"), 0)
		return
	}
	team, ok := s.resolveIn(w, r, c, "teams", req.Team)
	if !ok {
		return
	}
	var err error
	if req.Remove {
		err = s.store.Unassign(r.Context(), team, req.Municipality)
	} else {
		err = s.store.Assign(r.Context(), team, req.Municipality)
	}
	s.answer(w, r, struct{}{}, nil, err)
}

func (s *Server) handleCoordInstruments(w http.ResponseWriter, r *http.Request, c *Principal, _ []byte) {
	ins, err := s.store.Instruments(r.Context(), c.ProjectID)
	s.answer(w, r, wire.Instruments{Instruments: ins}, nil, err)
}

func (s *Server) handleCoordPublish(w http.ResponseWriter, r *http.Request, c *Principal, body []byte) {
	var req wire.PublishRequest
	if !s.decode(w, r, body, &req) {
		return
	}
	id, version, err := CheckInstrument(req.Body)
	if err != nil {
		s.refuse(w, r, wire.Errorf(wire.CodeInvalidDefinition, "definizione dello strumento non valida: "+survey.ErrorText(err, "it"), "invalid instrument definition: "+survey.ErrorText(err, "en")), 0)
		return
	}
	ins, err := s.store.Instruments(r.Context(), c.ProjectID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, in := range ins {
		if in.ID == id && in.Version == version && string(in.Body) != string(req.Body) {
			s.refuse(w, r, wire.Errorf(wire.CodeConflict, "questa versione è già pubblicata con un altro contenuto: pubblicare una nuova versione",
				"this version is already published with other content: publish a new version"), 0)
			return
		}
	}
	if len(req.Dictionary) > 0 {
		if _, err := seal.DictionaryID(req.Dictionary); err != nil {
			s.refuse(w, r, wire.Errorf(wire.CodeInvalidDefinition, "dizionario dello strumento non valido", "invalid instrument dictionary"), 0)
			return
		}
	}
	err = s.store.PublishInstrument(r.Context(), c.ProjectID, wire.Instrument{ID: id, Version: version, Body: req.Body, Dictionary: req.Dictionary})
	if err == nil {
		s.log.Info("instrument published", "coordinator", c.ID, "instrument", id, "version", version)
	}
	s.answer(w, r, wire.Instrument{ID: id, Version: version}, nil, err)
}

func (s *Server) handleCoordPending(w http.ResponseWriter, r *http.Request, c *Principal, _ []byte) {
	p, err := s.store.SecretPending(r.Context(), c.ProjectID)
	s.answer(w, r, wire.Grants{Pending: p}, nil, err)
}

func (s *Server) handleCoordGrants(w http.ResponseWriter, r *http.Request, c *Principal, body []byte) {
	var req wire.Grants
	if !s.decode(w, r, body, &req) {
		return
	}
	refusal, err := s.store.GrantSecret(r.Context(), c.ProjectID, "", c.ID, req.Grants)
	s.answer(w, r, struct{}{}, refusal, err)
}

var reference = sync.OnceValues(func() (*survey.Reference, error) { return survey.LoadReference(assets.Reference) })

// CheckInstrument reads an instrument definition as the app will (a
// definition the laptops cannot load must never reach them) and returns its
// id and version.
func CheckInstrument(body []byte) (string, int, error) {
	ref, err := reference()
	if err != nil {
		return "", 0, err
	}
	in, err := survey.ParseInstrument(body, ref)
	if err != nil {
		return "", 0, err
	}
	if !instrumentRE.MatchString(in.ID) || in.Version < 1 {
		return "", 0, survey.NewError("identificativo o versione non validi", "invalid id or version")
	}
	return in.ID, in.Version, nil
}
