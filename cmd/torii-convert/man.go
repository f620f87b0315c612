package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"
)

// manCommand prints the manual page, made from the same command definitions as --help.
func manCommand(e env) *cli.Command {
	return &cli.Command{
		Name:  "man",
		Usage: "print the manual page (roff), made from the commands' own help",
		Description: `Prints torii-convert(1) in roff, for man. It is made from the same definitions as
--help, so the two never disagree. "make man" writes it to torii-convert.1.`,
		Action: func(c *cli.Context) error {
			return runMan(c.Context, e, manOptions{args: c.Args().Slice()})
		},
	}
}

// manOptions are what `man` is asked: nothing but the page.
type manOptions struct{ args []string }

func (o manOptions) check() error {
	if len(o.args) > 0 {
		return usageError("man takes no arguments, got %q", o.args[0])
	}
	return nil
}

func runMan(_ context.Context, e env, o manOptions) error {
	if err := o.check(); err != nil {
		return err
	}
	page, err := newApp(e).ToManWithSection(1)
	if err != nil {
		return fmt.Errorf("making the manual page: %w", err)
	}
	// The help is read as Markdown on its way to roff: ***redacted*** would turn into
	// an emphasised "redacted", hiding what a dry run really prints.
	page = strings.ReplaceAll(page, `\fB\fIredacted\fP\fP`, `***redacted***`)
	_, err = fmt.Fprint(e.stdout, page)
	return err
}
