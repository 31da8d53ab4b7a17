// Command second-line applies the Collector's secret rules (collector/secrets.yaml, already unquoted
// from YAML, Collector config and OTTL by the caller) with Go's own regexp engine, the one the real
// Collector runs: every rule is compiled with regexp.Compile, the transform rules are applied in order
// with ReplaceAllString (as OTTL's replace_pattern does), then the redaction processor's blocked values
// mask what is left with "****".
//
// Usage: go run ./test/collector-second-line <input.json> <output.json>
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"runtime"
)

type rule struct {
	Source      string `json:"source"`
	Replacement string `json:"replacement"`
}

type document struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

type input struct {
	Rules     []rule     `json:"rules"`
	Blocked   []string   `json:"blocked"`
	Documents []document `json:"documents"`
}

type compileError struct {
	Source string `json:"source"`
	Error  string `json:"error"`
}

type result struct {
	ID          string `json:"id"`
	Transformed string `json:"transformed"`
	Redacted    string `json:"redacted"`
	Masked      int    `json:"masked"`
}

type output struct {
	GoVersion     string         `json:"goVersion"`
	Compiled      int            `json:"compiled"`
	CompileErrors []compileError `json:"compileErrors"`
	Results       []result       `json:"results"`
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: second-line <input.json> <output.json>")
		os.Exit(2)
	}
	raw, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var in input
	if err := json.Unmarshal(raw, &in); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	out := output{GoVersion: runtime.Version(), CompileErrors: []compileError{}, Results: []result{}}
	type compiledRule struct {
		re          *regexp.Regexp
		replacement string
	}
	var rules []compiledRule
	for _, r := range in.Rules {
		re, err := regexp.Compile(r.Source)
		if err != nil {
			out.CompileErrors = append(out.CompileErrors, compileError{Source: r.Source, Error: err.Error()})
			continue
		}
		out.Compiled++
		rules = append(rules, compiledRule{re, r.Replacement})
	}
	var blocked []*regexp.Regexp
	for _, source := range in.Blocked {
		re, err := regexp.Compile(source)
		if err != nil {
			out.CompileErrors = append(out.CompileErrors, compileError{Source: source, Error: err.Error()})
			continue
		}
		out.Compiled++
		blocked = append(blocked, re)
	}
	for _, doc := range in.Documents {
		text := doc.Text
		for _, r := range rules {
			text = r.re.ReplaceAllString(text, r.replacement)
		}
		redacted := text
		masked := 0
		for _, re := range blocked {
			redacted = re.ReplaceAllStringFunc(redacted, func(string) string {
				masked++
				return "****"
			})
		}
		out.Results = append(out.Results, result{ID: doc.ID, Transformed: text, Redacted: redacted, Masked: masked})
	}
	encoded, err := json.Marshal(out)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if err := os.WriteFile(os.Args[2], encoded, 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}
