package clocale

import "testing"

func TestNormalize(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want map[string]string
	}{
		{map[string]string{"LANG": "C.UTF-8"}, map[string]string{"LANG": "C"}},
		{map[string]string{"LANG": "POSIX.utf8"}, map[string]string{"LANG": "POSIX"}},
		{map[string]string{"LC_ALL": "C.UTF-8", "LANG": "it_IT.UTF-8"}, map[string]string{"LC_ALL": "C", "LANG": "it_IT.UTF-8"}},
		// The first variable set decides: LANG is not read when LC_ALL is set.
		{map[string]string{"LC_ALL": "it_IT.UTF-8", "LANG": "C.UTF-8"}, map[string]string{"LC_ALL": "it_IT.UTF-8", "LANG": "C.UTF-8"}},
		{map[string]string{"LANG": "C"}, map[string]string{"LANG": "C"}},
		{map[string]string{"LANG": "Ca_ES.UTF-8"}, map[string]string{"LANG": "Ca_ES.UTF-8"}},
		{map[string]string{"LANG": "it_IT.UTF-8"}, map[string]string{"LANG": "it_IT.UTF-8"}},
	} {
		env := map[string]string{}
		for k, v := range c.env {
			env[k] = v
		}
		Normalize(func(k string) string { return env[k] }, func(k, v string) error { env[k] = v; return nil })
		for k, v := range c.want {
			if env[k] != v {
				t.Errorf("%v: %s = %q, want %q", c.env, k, env[k], v)
			}
		}
	}
}
