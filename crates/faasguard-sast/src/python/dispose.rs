//! Dropping a parsed module without recursion.
//!
//! ruff's parser grows its own stack for deep input, but the AST it returns drops recursively:
//! a few hundred thousand nested expressions (`a.b.b.b…`, `[[[…]]]`, `- - - x`, `a+a+a…`) on one
//! line overflow the stack on drop. [`dispose`] takes the tree apart with explicit work lists, so
//! every node is dropped with its children already detached.

use ruff_python_ast::{
    Expr, ExprNoneLiteral, FStringPart, InterpolatedStringElement, InterpolatedStringElements,
    ModModule, Parameters, Pattern, Stmt,
};
use ruff_python_parser::Parsed;

/// Drops a parsed module iteratively.
pub(crate) fn dispose(parsed: Parsed<ModModule>) {
    let mut work = Work::default();
    work.stmts.extend(parsed.into_syntax().body);
    loop {
        if let Some(stmt) = work.stmts.pop() {
            work.stmt(stmt);
        } else if let Some(expr) = work.exprs.pop() {
            work.expr(expr);
        } else if let Some(pattern) = work.patterns.pop() {
            work.pattern(pattern);
        } else {
            break;
        }
    }
}

#[derive(Default)]
struct Work {
    stmts: Vec<Stmt>,
    exprs: Vec<Expr>,
    patterns: Vec<Pattern>,
}

fn placeholder() -> Expr {
    Expr::NoneLiteral(ExprNoneLiteral::default())
}

fn take(expr: &mut Expr) -> Expr {
    std::mem::replace(expr, placeholder())
}

impl Work {
    fn boxed(&mut self, expr: &mut Expr) {
        let taken = take(expr);
        self.exprs.push(taken);
    }

    fn optional(&mut self, expr: Option<Box<Expr>>) {
        if let Some(e) = expr {
            self.exprs.push(*e);
        }
    }

    fn parameters(&mut self, parameters: &mut Parameters) {
        for p in parameters
            .posonlyargs
            .iter_mut()
            .chain(parameters.args.iter_mut())
            .chain(parameters.kwonlyargs.iter_mut())
        {
            self.optional(p.default.take());
            self.optional(p.parameter.annotation.take());
        }
        for p in [&mut parameters.vararg, &mut parameters.kwarg]
            .into_iter()
            .flatten()
        {
            self.optional(p.annotation.take());
        }
    }

    fn elements(&mut self, elements: &mut InterpolatedStringElements) {
        let mut specs = Vec::new();
        for element in elements.iter_mut() {
            if let InterpolatedStringElement::Interpolation(i) = element {
                self.boxed(&mut i.expression);
                if let Some(spec) = i.format_spec.take() {
                    specs.push(spec);
                }
            }
        }
        while let Some(mut spec) = specs.pop() {
            for element in &mut *spec.elements {
                if let InterpolatedStringElement::Interpolation(i) = element {
                    self.boxed(&mut i.expression);
                    if let Some(inner) = i.format_spec.take() {
                        specs.push(inner);
                    }
                }
            }
        }
    }

    fn expr(&mut self, mut expr: Expr) {
        match &mut expr {
            Expr::BoolOp(x) => self.exprs.append(&mut x.values),
            Expr::Named(x) => {
                self.boxed(&mut x.target);
                self.boxed(&mut x.value);
            }
            Expr::BinOp(x) => {
                self.boxed(&mut x.left);
                self.boxed(&mut x.right);
            }
            Expr::UnaryOp(x) => self.boxed(&mut x.operand),
            Expr::Lambda(x) => {
                self.boxed(&mut x.body);
                if let Some(p) = &mut x.parameters {
                    self.parameters(p);
                }
            }
            Expr::If(x) => {
                self.boxed(&mut x.test);
                self.boxed(&mut x.body);
                self.boxed(&mut x.orelse);
            }
            Expr::Dict(x) => {
                for item in x.items.drain(..) {
                    self.exprs.extend(item.key);
                    self.exprs.push(item.value);
                }
            }
            Expr::Set(x) => self.exprs.append(&mut x.elts),
            Expr::List(x) => self.exprs.append(&mut x.elts),
            Expr::Tuple(x) => self.exprs.append(&mut x.elts),
            Expr::ListComp(x) => {
                self.boxed(&mut x.elt);
                self.generators(&mut x.generators);
            }
            Expr::SetComp(x) => {
                self.boxed(&mut x.elt);
                self.generators(&mut x.generators);
            }
            Expr::Generator(x) => {
                self.boxed(&mut x.elt);
                self.generators(&mut x.generators);
            }
            Expr::DictComp(x) => {
                self.optional(x.key.take());
                self.boxed(&mut x.value);
                self.generators(&mut x.generators);
            }
            Expr::Await(x) => self.boxed(&mut x.value),
            Expr::Yield(x) => self.optional(x.value.take()),
            Expr::YieldFrom(x) => self.boxed(&mut x.value),
            Expr::Compare(x) => {
                self.boxed(&mut x.left);
                self.exprs
                    .extend(std::mem::take(&mut x.comparators).into_vec());
            }
            Expr::Call(x) => {
                self.boxed(&mut x.func);
                self.exprs
                    .extend(std::mem::take(&mut x.arguments.args).into_vec());
                for keyword in x.arguments.keywords.drain(..) {
                    self.exprs.push(keyword.value);
                }
            }
            Expr::FString(x) => {
                for part in &mut x.value {
                    if let FStringPart::FString(f) = part {
                        self.elements(&mut f.elements);
                    }
                }
            }
            Expr::TString(x) => {
                for t in &mut x.value {
                    self.elements(&mut t.elements);
                }
            }
            Expr::Attribute(x) => self.boxed(&mut x.value),
            Expr::Subscript(x) => {
                self.boxed(&mut x.value);
                self.boxed(&mut x.slice);
            }
            Expr::Starred(x) => self.boxed(&mut x.value),
            Expr::Slice(x) => {
                self.optional(x.lower.take());
                self.optional(x.upper.take());
                self.optional(x.step.take());
            }
            _ => {}
        }
    }

    fn generators(&mut self, generators: &mut Vec<ruff_python_ast::Comprehension>) {
        for g in generators.drain(..) {
            self.exprs.push(g.target);
            self.exprs.push(g.iter);
            self.exprs.extend(g.ifs);
        }
    }

    fn stmt(&mut self, mut stmt: Stmt) {
        match &mut stmt {
            Stmt::FunctionDef(x) => {
                self.stmts.extend(std::mem::take(&mut x.body));
                for d in x.decorator_list.drain(..) {
                    self.exprs.push(d.expression);
                }
                self.parameters(&mut x.parameters);
                self.optional(x.returns.take());
            }
            Stmt::ClassDef(x) => {
                self.stmts.extend(std::mem::take(&mut x.body));
                for d in x.decorator_list.drain(..) {
                    self.exprs.push(d.expression);
                }
                if let Some(arguments) = &mut x.arguments {
                    self.exprs
                        .extend(std::mem::take(&mut arguments.args).into_vec());
                    for keyword in arguments.keywords.drain(..) {
                        self.exprs.push(keyword.value);
                    }
                }
            }
            Stmt::Return(x) => self.optional(x.value.take()),
            Stmt::Delete(x) => self.exprs.append(&mut x.targets),
            Stmt::TypeAlias(x) => {
                self.boxed(&mut x.name);
                self.boxed(&mut x.value);
            }
            Stmt::Assign(x) => {
                self.exprs.append(&mut x.targets);
                self.boxed(&mut x.value);
            }
            Stmt::AugAssign(x) => {
                self.boxed(&mut x.target);
                self.boxed(&mut x.value);
            }
            Stmt::AnnAssign(x) => {
                self.boxed(&mut x.target);
                self.boxed(&mut x.annotation);
                self.optional(x.value.take());
            }
            Stmt::For(x) => {
                self.boxed(&mut x.target);
                self.boxed(&mut x.iter);
                self.stmts.extend(std::mem::take(&mut x.body));
                self.stmts.extend(std::mem::take(&mut x.orelse));
            }
            Stmt::While(x) => {
                self.boxed(&mut x.test);
                self.stmts.extend(std::mem::take(&mut x.body));
                self.stmts.extend(std::mem::take(&mut x.orelse));
            }
            Stmt::If(x) => {
                self.boxed(&mut x.test);
                self.stmts.extend(std::mem::take(&mut x.body));
                for clause in x.elif_else_clauses.drain(..) {
                    self.exprs.extend(clause.test);
                    self.stmts.extend(clause.body);
                }
            }
            Stmt::With(x) => {
                for item in x.items.drain(..) {
                    self.exprs.push(item.context_expr);
                    self.optional(item.optional_vars);
                }
                self.stmts.extend(std::mem::take(&mut x.body));
            }
            Stmt::Match(x) => {
                self.boxed(&mut x.subject);
                for case in x.cases.drain(..) {
                    self.patterns.push(case.pattern);
                    self.optional(case.guard);
                    self.stmts.extend(case.body);
                }
            }
            Stmt::Raise(x) => {
                self.optional(x.exc.take());
                self.optional(x.cause.take());
            }
            Stmt::Try(x) => {
                self.stmts.extend(std::mem::take(&mut x.body));
                for handler in x.handlers.drain(..) {
                    let ruff_python_ast::ExceptHandler::ExceptHandler(h) = handler;
                    self.optional(h.type_);
                    self.stmts.extend(h.body);
                }
                self.stmts.extend(std::mem::take(&mut x.orelse));
                self.stmts.extend(std::mem::take(&mut x.finalbody));
            }
            Stmt::Assert(x) => {
                self.boxed(&mut x.test);
                self.optional(x.msg.take());
            }
            Stmt::Expr(x) => self.boxed(&mut x.value),
            _ => {}
        }
    }

    fn pattern(&mut self, mut pattern: Pattern) {
        match &mut pattern {
            Pattern::MatchValue(p) => self.boxed(&mut p.value),
            Pattern::MatchSequence(p) => self.patterns.append(&mut p.patterns),
            Pattern::MatchMapping(p) => {
                self.exprs.extend(std::mem::take(&mut p.keys));
                self.patterns.extend(std::mem::take(&mut p.patterns));
            }
            Pattern::MatchClass(p) => {
                self.boxed(&mut p.cls);
                self.patterns
                    .extend(std::mem::take(&mut p.arguments.patterns));
                for keyword in p.arguments.keywords.drain(..) {
                    self.patterns.push(keyword.pattern);
                }
            }
            Pattern::MatchAs(p) => {
                if let Some(inner) = p.pattern.take() {
                    self.patterns.push(*inner);
                }
            }
            Pattern::MatchOr(p) => self.patterns.append(&mut p.patterns),
            _ => {}
        }
    }
}
