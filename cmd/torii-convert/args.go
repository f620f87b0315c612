package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// interspersed moves each command's flags ahead of its arguments. urfave/cli v2 stops
// reading flags at the first argument, so `torii-convert convert in.csv --template figma`
// would take "--template" for a file name; people write flags after arguments all the
// time. Everything after "--" stays an argument.
func interspersed(app *cli.App, args []string) []string {
	if len(args) == 0 {
		return args
	}
	out := []string{args[0]}
	rest := args[1:]
	// Global flags come before the command.
	for len(rest) > 0 && strings.HasPrefix(rest[0], "-") && rest[0] != "-" && rest[0] != "--" {
		n := flagWidth(app.Flags, rest)
		out, rest = append(out, rest[:n]...), rest[n:]
	}
	return append(out, commandArgs(app.Commands, rest)...)
}

// commandArgs reorders the arguments of the command named by args[0], and of its
// subcommand if it has one.
func commandArgs(commands []*cli.Command, args []string) []string {
	if len(args) == 0 {
		return args
	}
	var cmd *cli.Command
	for _, c := range commands {
		if c.HasName(args[0]) {
			cmd = c
		}
	}
	if cmd == nil || cmd.SkipFlagParsing {
		return args
	}
	var flags, positional []string
	rest := args[1:]
	for len(rest) > 0 {
		a := rest[0]
		switch {
		case a == "--":
			positional = append(positional, rest...)
			rest = nil
		case strings.HasPrefix(a, "-") && a != "-":
			n := flagWidth(cmd.Flags, rest)
			flags, rest = append(flags, rest[:n]...), rest[n:]
		default:
			if len(positional) == 0 && len(cmd.Subcommands) > 0 {
				sub := commandArgs(cmd.Subcommands, rest)
				return append(append([]string{args[0]}, flags...), sub...)
			}
			positional, rest = append(positional, a), rest[1:]
		}
	}
	return append(append([]string{args[0]}, flags...), positional...)
}

// flagWidth tells how many arguments the flag at args[0] takes up: two when it expects
// a value that is not joined to it with "=".
func flagWidth(flags []cli.Flag, args []string) int {
	name := strings.TrimLeft(args[0], "-")
	if strings.Contains(name, "=") || len(args) < 2 {
		return 1
	}
	for _, f := range flags {
		for _, n := range f.Names() {
			if n != name {
				continue
			}
			if _, isBool := f.(*cli.BoolFlag); isBool {
				return 1
			}
			return 2
		}
	}
	return 1
}
