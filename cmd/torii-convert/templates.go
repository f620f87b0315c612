package main

import (
	"context"
	"fmt"
	"strings"
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
		Description: `With no argument, lists the built-in templates, one line each: its name and where in the
product its export is made. "templates show NAME" prints one, ready to save and edit;
"templates init EXPORT" writes a starting template from an export's headers.`,
		Action: func(c *cli.Context) error {
			return runTemplates(c.Context, e, templatesOptions{args: c.Args().Slice()})
		},
		Subcommands: []*cli.Command{templatesInitCommand(e), {
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
		fmt.Fprintf(tw, "%s\t%s\n", t.Name, t.Source)
	}
	return tw.Flush()
}

// templatesInitOptions are what `templates init` is asked to do.
type templatesInitOptions struct {
	args   []string // the export to read: one
	output string
	read   readOptions // how to read the export: --sheet, --encoding, ...
}

func templatesInitCommand(e env) *cli.Command {
	var o templatesInitOptions
	return &cli.Command{
		Name:      "init",
		Usage:     "write a starting template from an export's headers",
		ArgsUsage: "EXPORT",
		Description: `Reads EXPORT's header and writes a template to edit: each column placed in the Torii
field it most likely feeds (what it could not place is listed in "$comment"), and for
status and seat columns the distinct values found (in the first 100,000 rows, up to
30 a column), each with a proposed mapping. Check every field, then convert with it
(see EXAMPLES).`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Destination: &o.output,
				Usage: "write the template to `PATH` (replaced atomically) instead of stdout"},
		}, sourceFlags(&o.read)...),
		Action: func(c *cli.Context) error {
			o.args = c.Args().Slice()
			return runTemplatesInit(c.Context, e, o)
		},
	}
}

func (o templatesInitOptions) check() error {
	if len(o.args) != 1 {
		return usageError("templates init takes one export to read, got %d; usage: torii-convert templates init EXPORT [-o my-template.json]", len(o.args))
	}
	return o.read.check()
}

func runTemplatesInit(ctx context.Context, e env, o templatesInitOptions) error {
	if err := o.check(); err != nil {
		return err
	}
	input := o.args[0]
	if err := sameFile(o.output, input); err != nil {
		return err
	}
	opts, err := o.read.options(e, "")
	if err != nil {
		return err
	}
	src, err := convert.Scaffold(ctx, input, opts)
	if err != nil {
		return err
	}
	out, err := newOutput(o.output, e.stdout)
	if err != nil {
		return err
	}
	defer out.discard()
	if _, err := out.sink().Write(src); err != nil {
		return fmt.Errorf("writing %s: %w", o.output, err)
	}
	if err := out.commit(ctx); err != nil {
		return err
	}
	if o.output != "" && o.output != "-" {
		fmt.Fprintf(e.stderr, "wrote %s; check every field, then: torii-convert convert --template %s %s\n", o.output, templatePath(o.output), input)
	}
	return nil
}

// templatePath is how --template must name a file so that it is not taken for a
// built-in's name.
func templatePath(p string) string {
	if strings.ContainsAny(p, `/\`) {
		return p
	}
	return "./" + p
}
