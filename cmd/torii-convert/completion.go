package main

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/torii-convert/torii-convert/convert"
	"github.com/torii-convert/torii-convert/convert/source"
)

// Shell completion: each shell's script is a thin wrapper that calls the hidden command
// `torii-convert completion __complete SHELL WORD...` with the words typed so far, the last being
// the word under the cursor, and offers what it prints. So every shell completes from the
// command definitions themselves: commands, flags, the built-in templates, the sheets
// of the workbook on the line, the values a flag accepts, and file paths.

var shells = []string{"bash", "zsh", "fish", "powershell"}

// flagChoices are the values a flag accepts, by flag name, or by "command flag" where
// they differ between commands.
var flagChoices = map[string][]string{
	"format":          {"text", "json"},
	"validate format": {"text", "json", "github", "sarif"},
	"report format":   {"text", "json", "csv", "markdown"},
	"input-format":    {convert.FormatCSV, convert.FormatXLSX},
	"date-order":      {convert.MonthFirst, convert.DayFirst},
	"upload":          {"auto", "direct", "presigned"},
	"delimiter":       {"comma", "semicolon", "tab", "pipe"},
	"color":           {"auto", "always", "never"},
}

// fileFlags take a path.
var fileFlags = []string{"template", "output", "prices", "api-key-file", "html"}

// completionOptions are what `completion` is asked for: the script of a shell, or (the
// hidden `completion __complete SHELL WORD...` the scripts call) what may complete the
// last of words.
type completionOptions struct {
	args     []string
	complete bool
}

func completionCommand(e env) *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print the shell completion script for bash, zsh, fish or powershell",
		ArgsUsage: "SHELL",
		Description: `Prints a script that makes the shell complete torii-convert's commands, flags,
built-in template names, the sheet names of the workbook on the command line, the
values of flags such as --format, and file paths. Install it once (see EXAMPLES);
it asks torii-convert itself what to offer, so it stays true after an upgrade.`,
		Action: func(c *cli.Context) error {
			return runCompletion(c.Context, e, completionOptions{args: c.Args().Slice()})
		},
		Subcommands: []*cli.Command{{
			Name:            "__complete",
			Hidden:          true,
			SkipFlagParsing: true,
			Action: func(c *cli.Context) error {
				return runCompletion(c.Context, e, completionOptions{args: c.Args().Slice(), complete: true})
			},
		}},
	}
}

func (o completionOptions) check() error {
	switch {
	case o.complete && (len(o.args) < 1 || !slices.Contains(shells, o.args[0])):
		return usageError("__complete takes a shell and the words to complete")
	case !o.complete && (len(o.args) != 1 || !slices.Contains(shells, o.args[0])):
		return usageError("completion takes one shell: bash, zsh, fish or powershell")
	}
	return nil
}

func runCompletion(_ context.Context, e env, o completionOptions) error {
	if err := o.check(); err != nil {
		return err
	}
	if !o.complete {
		_, err := fmt.Fprint(e.stdout, completionScripts[o.args[0]])
		return err
	}
	return printCompletions(e, newApp(e), o.args[0], o.args[1:])
}

// candidate is one completion, with what it is.
type candidate struct{ value, desc string }

// printCompletions prints what may complete the last of words, one a line as the shell
// reads it, then ":files" when file paths may too, else ":nofiles".
func printCompletions(e env, app *cli.App, shell string, words []string) error {
	if len(words) == 0 {
		words = []string{""}
	}
	if shell == "powershell" && words[len(words)-1] == `""` {
		words[len(words)-1] = "" // how PowerShell passes an empty word to every version
	}
	cands, files := complete(app, words)
	// A value after "--flag=": bash completes only what follows the "=", the others the
	// whole word.
	cur := words[len(words)-1]
	prefix := ""
	if i := strings.Index(cur, "="); i >= 0 && strings.HasPrefix(cur, "-") && shell != "bash" {
		prefix = cur[:i+1]
	}
	for _, c := range cands {
		v := prefix + c.value
		switch shell {
		case "bash":
			fmt.Fprintln(e.stdout, strings.ReplaceAll(v, " ", `\ `))
		case "zsh":
			v = strings.ReplaceAll(v, ":", `\:`)
			if c.desc != "" {
				v += ":" + c.desc
			}
			fmt.Fprintln(e.stdout, v)
		default:
			if c.desc != "" {
				v += "\t" + c.desc
			}
			fmt.Fprintln(e.stdout, v)
		}
	}
	if files {
		fmt.Fprintln(e.stdout, ":files")
	} else {
		fmt.Fprintln(e.stdout, ":nofiles")
	}
	return nil
}

// complete tells what may stand in place of the last of words (the words after the
// program's name), and whether file paths may too.
func complete(app *cli.App, words []string) ([]candidate, bool) {
	words = joinEquals(words)
	cur := words[len(words)-1]
	l := readLine(app, words[:len(words)-1])
	where := strings.Join(l.path, " ")
	if l.pending != nil {
		return flagValues(where, l.pending.Names()[0], cur, l.positional)
	}
	if strings.HasPrefix(cur, "-") && !l.dashdash {
		if name, value, ok := strings.Cut(strings.TrimLeft(cur, "-"), "="); ok {
			if f := findFlag(l.flags, name); f != nil {
				return flagValues(where, f.Names()[0], value, l.positional)
			}
			return nil, false
		}
		return flagCandidates(l.flags, cur), false
	}
	switch where {
	case "help":
		// help COMMAND [SUBCOMMAND]
		level := app.Commands
		for _, p := range l.positional {
			c := findCommand(level, p)
			if c == nil {
				return nil, false
			}
			level = c.Subcommands
		}
		return commandCandidates(level, cur), false
	case "templates show":
		if len(l.positional) > 0 {
			return nil, false
		}
		return templateCandidates(cur), false
	case "completion":
		return filter(shells, cur), false
	case "convert", "validate", "sync", "diff", "report", "templates init":
		return nil, true
	}
	if len(l.positional) == 0 {
		return commandCandidates(l.commands, cur), false
	}
	return nil, false
}

// cmdLine is what the words typed before the last one say: the command they name (path),
// its subcommands and flags, its arguments so far, a flag still waiting for its
// value, and whether "--" ended the flags.
type cmdLine struct {
	path, positional []string
	commands         []*cli.Command
	flags            []cli.Flag
	pending          cli.Flag
	dashdash         bool
}

// readLine reads the words typed before the last one.
func readLine(app *cli.App, done []string) cmdLine {
	l := cmdLine{commands: app.Commands, flags: app.Flags}
	for _, w := range done {
		switch {
		case l.pending != nil:
			l.pending = nil
		case w == "--" && !l.dashdash:
			l.dashdash = true
		case strings.HasPrefix(w, "-") && w != "-" && !l.dashdash:
			name, _, hasValue := strings.Cut(strings.TrimLeft(w, "-"), "=")
			if f := findFlag(l.flags, name); f != nil && takesValue(f) && !hasValue {
				l.pending = f
			}
		default:
			if len(l.positional) == 0 {
				if c := findCommand(l.commands, w); c != nil {
					l.path = append(l.path, c.Name)
					l.commands, l.flags = c.Subcommands, c.Flags
					continue
				}
			}
			l.positional = append(l.positional, w)
		}
	}
	return l
}

// flagCandidates are the flags (and --help) whose names start with cur, each with the
// first sentence of its usage.
func flagCandidates(flags []cli.Flag, cur string) []candidate {
	var out []candidate
	for _, f := range append(slices.Clone(flags), cli.HelpFlag) {
		usage := ""
		if d, ok := f.(cli.DocGenerationFlag); ok {
			usage = firstSentence(d.GetUsage())
		}
		for _, n := range f.Names() {
			if n = dashed(n); strings.HasPrefix(n, cur) && len(n) > 2 {
				out = append(out, candidate{n, usage})
			}
		}
	}
	return out
}

// joinEquals puts "--flag", "=", "value" back together: bash splits words at "=".
func joinEquals(words []string) []string {
	var out []string
	for i := 0; i < len(words); i++ {
		w := words[i]
		if w == "=" && len(out) > 0 && strings.HasPrefix(out[len(out)-1], "-") {
			out[len(out)-1] += "="
			if i+1 < len(words) {
				out[len(out)-1] += words[i+1]
				i++
			}
			continue
		}
		out = append(out, w)
	}
	if len(out) == 0 {
		out = []string{""}
	}
	return out
}

func flagValues(command, flag, cur string, positional []string) ([]candidate, bool) {
	switch flag {
	case "template":
		return templateCandidates(cur), true
	case "sheet":
		return sheetCandidates(positional, cur), false
	}
	if choices, ok := flagChoices[command+" "+flag]; ok {
		return filter(choices, cur), false
	}
	if choices, ok := flagChoices[flag]; ok {
		return filter(choices, cur), false
	}
	return nil, slices.Contains(fileFlags, flag)
}

func templateCandidates(cur string) []candidate {
	var out []candidate
	if strings.HasPrefix("auto", cur) {
		out = append(out, candidate{"auto", "detect the template from the export's header"})
	}
	for _, name := range convert.Builtins() {
		if !strings.HasPrefix(name, cur) {
			continue
		}
		desc := ""
		if t, err := convert.FindTemplate(name); err == nil {
			desc = t.Description
		}
		out = append(out, candidate{name, desc})
	}
	return out
}

// sheetCandidates are the sheets of the workbooks named on the line.
func sheetCandidates(positional []string, cur string) []candidate {
	var out []candidate
	for _, p := range positional {
		if ext := strings.ToLower(filepath.Ext(p)); ext != ".xlsx" && ext != ".xlsm" {
			continue
		}
		sheets, err := source.Sheets(p)
		if err != nil {
			continue // a workbook that cannot be read has nothing to offer
		}
		for _, s := range sheets {
			if strings.HasPrefix(strings.ToLower(s.Name), strings.ToLower(cur)) {
				desc := "sheet of " + filepath.Base(p)
				if s.Hidden {
					desc = "hidden " + desc
				}
				out = append(out, candidate{s.Name, desc})
			}
		}
	}
	return out
}

func commandCandidates(commands []*cli.Command, cur string) []candidate {
	var out []candidate
	for _, c := range commands {
		if !c.Hidden && strings.HasPrefix(c.Name, cur) {
			out = append(out, candidate{c.Name, c.Usage})
		}
	}
	return out
}

func filter(values []string, cur string) []candidate {
	var out []candidate
	for _, v := range values {
		if strings.HasPrefix(v, cur) {
			out = append(out, candidate{value: v})
		}
	}
	return out
}

func findFlag(flags []cli.Flag, name string) cli.Flag {
	for _, f := range flags {
		if slices.Contains(f.Names(), name) {
			return f
		}
	}
	return nil
}

func takesValue(f cli.Flag) bool {
	d, ok := f.(cli.DocGenerationFlag)
	return ok && d.TakesValue()
}

// firstSentence shortens a flag's usage for a completion menu.
func firstSentence(s string) string {
	s = strings.ReplaceAll(s, "`", "")
	if i := strings.IndexAny(s, ";("); i > 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

var completionScripts = map[string]string{
	"bash": `# bash completion for torii-convert; in ~/.bashrc: source <(torii-convert completion bash)
_torii_convert() {
    local line=${COMP_LINE:0:COMP_POINT} words cur out c
    read -ra words <<< "$line"
    [[ $line == *[[:space:]] ]] && words+=("")
    cur=${COMP_WORDS[COMP_CWORD]}
    [[ $cur == = ]] && cur=
    COMPREPLY=()
    mapfile -t out < <("${words[0]}" completion __complete bash "${words[@]:1}" 2>/dev/null)
    for c in "${out[@]}"; do
        case $c in
        :files) compopt -o filenames 2>/dev/null; mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -f -- "$cur") ;;
        :nofiles) ;;
        *) COMPREPLY+=("$c") ;;
        esac
    done
}
complete -o default -F _torii_convert torii-convert
`,
	"zsh": `#compdef torii-convert
# zsh completion for torii-convert; save as _torii-convert in a folder of $fpath:
#   torii-convert completion zsh > "${fpath[1]}/_torii-convert"
_torii_convert() {
    local -a out cands
    local c files=0
    out=("${(@f)$("${words[1]}" completion __complete zsh "${(@)words[2,CURRENT]}" 2>/dev/null)}")
    for c in "${out[@]}"; do
        case $c in
        :files) files=1 ;;
        :nofiles) ;;
        *) cands+=("$c") ;;
        esac
    done
    (( ${#cands} )) && _describe -t values 'torii-convert' cands
    (( files )) && _files
    return 0
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
    _torii_convert "$@"
else
    compdef _torii_convert torii-convert
fi
`,
	"fish": `# fish completion for torii-convert; install with:
#   torii-convert completion fish > ~/.config/fish/completions/torii-convert.fish
function __torii_convert_complete
    set -l words (commandline -opc) (commandline -ct)
    set -l out ($words[1] completion __complete fish $words[2..-1] 2>/dev/null)
    for c in $out
        switch $c
            case :files
                __fish_complete_path (commandline -ct)
            case :nofiles
            case '*'
                printf '%s\n' $c
        end
    end
end
complete -c torii-convert -f -a '(__torii_convert_complete)'
`,
	"powershell": `# PowerShell completion for torii-convert; in $PROFILE:
#   torii-convert completion powershell | Out-String | Invoke-Expression
Register-ArgumentCompleter -Native -CommandName torii-convert,torii-convert.exe -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    $words = @($commandAst.CommandElements | Where-Object { $_.Extent.StartOffset -lt $cursorPosition } |
        Select-Object -Skip 1 | ForEach-Object { $_.ToString() })
    if ($wordToComplete -eq '') { $words += '""' }
    $program = $commandAst.CommandElements[0].ToString()
    $out = @(& $program completion __complete powershell @words 2>$null)
    foreach ($c in $out) {
        if ($c -eq ':files') {
            Get-ChildItem -Path "$wordToComplete*" -ErrorAction SilentlyContinue | ForEach-Object {
                [System.Management.Automation.CompletionResult]::new($_.Name, $_.Name, 'ProviderItem', $_.Name)
            }
        } elseif ($c -ne ':nofiles') {
            $value, $desc = $c -split "` + "`t" + `", 2
            if (-not $desc) { $desc = $value }
            [System.Management.Automation.CompletionResult]::new($value, $value, 'ParameterValue', $desc)
        }
    }
}
`,
}
