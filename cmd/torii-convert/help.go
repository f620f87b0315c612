package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// examples are shown under EXAMPLES in each command's --help, keyed by the command's
// path ("templates show"). They are the README's, so that both stay true together.
var examples = map[string][]string{
	"convert": {
		"torii-convert convert --template figma members.xlsx -o figma.json",
		"torii-convert convert export.csv --template ./my-template.json > users.json",
		"torii-convert convert --template hr --sheet Staff roster.xlsx",
		"cat export.csv | torii-convert convert --template stripe -",
		"torii-convert convert --template figma members.xlsx --sync --app-account 12345",
		"torii-convert convert --template figma members.xlsx -o figma.json --format json   # the summary, for scripts",
		"torii-convert convert -v --template figma members.xlsx -o figma.json              # how it was read, and timings",
	},
	"validate": {
		"torii-convert validate data/*.json",
		"torii-convert validate --template figma members.xlsx",
		"torii-convert validate --format github data/*.json      # annotations in a GitHub workflow",
		"torii-convert validate --format sarif data/*.json > results.sarif",
	},
	"sync": {
		"torii-convert sync --app-account 12345 figma.json",
		"torii-convert sync --app-account 12345 --file-id 1001      # sync an uploaded file again",
		"torii-convert sync --app-account 12345 figma.json --dry-run",
		"torii-convert sync --app-account 12345 figma.json --allow-shrink   # when that many users really left",
	},
	"diff": {
		"torii-convert diff last-night.json figma.json",
		"torii-convert diff --template figma last-week.xlsx members.xlsx",
		"torii-convert diff torii: figma.json --app 4242 --app-account 12345",
		"torii-convert diff old.json new.json --format json | jq '.removed'",
	},
	"report": {
		"torii-convert report figma.json",
		"torii-convert report --template figma members.xlsx --prices prices.csv --idle 60d",
		"torii-convert report figma.json --format markdown      # to paste into a ticket",
		"torii-convert report figma.json --html waste.html      # a page with a chart, no network needed",
	},
	"whoami": {
		"TORII_API_KEY=... torii-convert whoami",
		"torii-convert whoami --api-key-file ~/.config/torii/key --format json",
	},
	"templates": {
		"torii-convert templates",
		"torii-convert templates show figma > my-template.json",
		"torii-convert convert --template ./my-template.json export.csv",
	},
	"templates show": {
		"torii-convert templates show figma > my-template.json",
	},
	"templates init": {
		"torii-convert templates init export.csv -o my-template.json",
		"torii-convert convert --template ./my-template.json export.csv",
	},
	"completion": {
		"source <(torii-convert completion bash)                                 # bash, in ~/.bashrc",
		"torii-convert completion zsh > \"${fpath[1]}/_torii-convert\"             # zsh",
		"torii-convert completion fish > ~/.config/fish/completions/torii-convert.fish",
		"torii-convert completion powershell | Out-String | Invoke-Expression    # in $PROFILE",
	},
	"man": {
		"torii-convert man > torii-convert.1 && man ./torii-convert.1",
		"torii-convert man | gzip > /usr/local/share/man/man1/torii-convert.1.gz",
	},
}

// installHelp adds the help command, and to every command's help its examples and to
// its usage errors a suggestion.
func installHelp(app *cli.App, e env) {
	app.Commands = append(app.Commands, helpCommand(e))
	// urfave/cli gives the app no --help flag when it has a command named help.
	app.Flags = append(app.Flags, cli.HelpFlag)
	app.OnUsageError = usageErrorFor("", func() []cli.Flag { return append(slices.Clone(app.Flags), cli.VersionFlag) })
	setUsageErrors(app.Commands, "")
	addExamples(app.Commands, "")
}

// addExamples gives each command's help an EXAMPLES section, after its options.
func addExamples(commands []*cli.Command, parent string) {
	for _, c := range commands {
		path := strings.TrimSpace(parent + " " + c.Name)
		if ex := examples[path]; len(ex) > 0 {
			tmpl := cli.CommandHelpTemplate
			if len(c.Subcommands) > 0 {
				tmpl = cli.SubcommandHelpTemplate
			}
			c.CustomHelpTemplate = tmpl + "\nEXAMPLES:\n   " + strings.Join(ex, "\n   ") + "\n"
		}
		addExamples(c.Subcommands, path)
	}
}

// helpCommand is `torii-convert help [COMMAND [SUBCOMMAND]]`: the same text as --help.
func helpCommand(e env) *cli.Command {
	return &cli.Command{
		Name:      "help",
		Usage:     "show the commands, or one command's help",
		ArgsUsage: "[COMMAND [SUBCOMMAND]]",
		Action: func(c *cli.Context) error {
			return runHelp(c.Context, e, helpOptions{names: c.Args().Slice()})
		},
	}
}

// helpOptions are what `help` is asked: the command, and subcommand, to explain.
type helpOptions struct{ names []string }

// runHelp checks each name as it goes, for the suggestion, then runs --help.
func runHelp(ctx context.Context, e env, o helpOptions) error {
	app := newApp(e)
	commands, path := app.Commands, []string{"torii-convert"}
	for _, name := range o.names {
		cmd := findCommand(commands, name)
		if cmd == nil {
			where := "torii-convert " + strings.Join(path[1:], " ")
			return unknownCommand(strings.TrimSpace(where), name, commands)
		}
		commands, path = cmd.Subcommands, append(path, cmd.Name)
	}
	return app.RunContext(ctx, append(path, "--help"))
}

func findCommand(commands []*cli.Command, name string) *cli.Command {
	for _, c := range commands {
		if c.HasName(name) && !c.Hidden {
			return c
		}
	}
	return nil
}

// unknownCommand is the usage error for a command name that is not one of commands.
func unknownCommand(parent, name string, commands []*cli.Command) *cmdError {
	var names []string
	for _, c := range commands {
		if !c.Hidden {
			names = append(names, c.Names()...)
		}
	}
	hint := fmt.Sprintf("run %s --help to list the commands", parent)
	if s := closest(name, names); s != "" {
		hint = fmt.Sprintf("did you mean %s?\n%s", s, hint)
	}
	return &cmdError{kind: kindUsage, msg: fmt.Sprintf("unknown command %q", name), hint: hint}
}

// usageErrorFor words urfave/cli's refusals of the arguments of the command at path
// ("" for the app's own flags), suggesting the flag that was probably meant.
func usageErrorFor(path string, flags func() []cli.Flag) cli.OnUsageErrorFunc {
	return func(_ *cli.Context, err error, _ bool) error {
		msg := err.Error()
		given, ok := strings.CutPrefix(msg, "flag provided but not defined: -")
		if !ok {
			return usageError("%s", msg)
		}
		given = strings.TrimPrefix(given, "-")
		var names []string
		for _, f := range append(flags(), cli.HelpFlag) {
			for _, n := range f.Names() {
				names = append(names, dashed(n))
			}
		}
		hint := fmt.Sprintf("run %s --help to list the flags", strings.TrimSpace("torii-convert "+path))
		if s := closest(dashed(given), names); s != "" {
			hint = fmt.Sprintf("did you mean %s?\n%s", s, hint)
		}
		msg = "unknown flag " + dashed(given)
		if path != "" {
			msg = path + ": " + msg
		}
		return &cmdError{kind: kindUsage, msg: msg, hint: hint}
	}
}

// setUsageErrors gives each command, and each of their subcommands, its usageErrorFor.
func setUsageErrors(commands []*cli.Command, parent string) {
	for _, c := range commands {
		path := strings.TrimSpace(parent + " " + c.Name)
		c.OnUsageError = usageErrorFor(path, func() []cli.Flag { return c.Flags })
		setUsageErrors(c.Subcommands, path)
	}
}

func dashed(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// closest is the candidate a mistyped word was most likely meant to be, or "" when none
// is near enough to be worth suggesting: at most a third of its letters wrong (two
// letters swapped count as one), or the start of exactly one candidate. Words of one or
// two letters are too short to guess from.
func closest(word string, candidates []string) string {
	n := len([]rune(strings.TrimLeft(word, "-")))
	if n < 3 {
		return ""
	}
	best, bestDist := "", max(1, n/3)+1
	var prefixed []string
	for _, c := range candidates {
		if c == word {
			continue
		}
		if d := editDistance(word, c); d < bestDist {
			best, bestDist = c, d
		}
		if strings.HasPrefix(c, word) {
			prefixed = append(prefixed, c)
		}
	}
	if best == "" && len(prefixed) == 1 {
		return prefixed[0]
	}
	return best
}

// editDistance counts the letters to insert, delete, change or swap with their neighbour
// to turn a into b (optimal string alignment).
func editDistance(a, b string) int {
	s, t := []rune(a), []rune(b)
	d := make([][]int, len(s)+1)
	for i := range d {
		d[i] = make([]int, len(t)+1)
		d[i][0] = i
	}
	for j := range t {
		d[0][j+1] = j + 1
	}
	for i := 1; i <= len(s); i++ {
		for j := 1; j <= len(t); j++ {
			cost := 1
			if s[i-1] == t[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && s[i-1] == t[j-2] && s[i-2] == t[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(s)][len(t)]
}
