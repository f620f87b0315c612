package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/torii-convert/torii-convert/convert"
)

// templatesOptions are what `templates` is asked to do: list them, or show one.
type templatesOptions struct {
	args []string
	show bool // templates show NAME
}

func templatesCommand(e env) *cli.Command {
	return &cli.Command{
		Name:  "templates",
		Usage: "list the built-in templates, or print one to copy and edit",
		Description: `With no argument, lists the built-in templates, one line each. "templates show NAME"
prints one, ready to save and edit:

   torii-convert templates show figma > my-template.json
   torii-convert convert --template ./my-template.json export.csv`,
		Action: func(c *cli.Context) error {
			return runTemplates(c.Context, e, templatesOptions{args: c.Args().Slice()})
		},
		Subcommands: []*cli.Command{{
			Name:      "show",
			Usage:     "print a built-in template",
			ArgsUsage: "NAME",
			Action: func(c *cli.Context) error {
				return runTemplates(c.Context, e, templatesOptions{args: c.Args().Slice(), show: true})
			},
		}},
	}
}

func (o templatesOptions) check() error {
	switch {
	case o.show && len(o.args) != 1:
		return usageError("templates show takes one template name; the built-in ones: torii-convert templates")
	case !o.show && len(o.args) > 0:
		return usageError("unknown argument %q; to print a template: torii-convert templates show %s", o.args[0], o.args[0])
	}
	return nil
}

func runTemplates(_ context.Context, e env, o templatesOptions) error {
	if err := o.check(); err != nil {
		return err
	}
	if o.show {
		src, err := convert.BuiltinSource(o.args[0])
		if err != nil {
			return err
		}
		_, err = e.stdout.Write(src)
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	for _, name := range convert.Builtins() {
		t, err := convert.FindTemplate(name)
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "%s\t%s\n", t.Name, t.Description)
	}
	return tw.Flush()
}
