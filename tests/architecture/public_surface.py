"""An import-linter contract type: the importers may import only the listed modules of a package
(its declared public surface); every other module of it is the package's own business.

import-linter's own `forbidden` and `protected` contracts list what may not be imported, so a new
internal module would be open to everyone; this one lists what may be, so a new module is private
until it is declared. Loaded by `lint-imports` through `contract_types` in pyproject.toml.
"""
from __future__ import annotations

from importlinter import Contract, ContractCheck, fields, output
from importlinter.domain import helpers


class PublicSurfaceContract(Contract):
    type_name = "public_surface"

    package = fields.StringField()
    importers = fields.ListField(subfield=fields.ModuleExpressionField())
    # Module expressions: `pkg.mod` is that module alone, `pkg.sub.**` every module under it.
    public = fields.ListField(subfield=fields.ModuleExpressionField())

    def check(self, graph, verbose: bool) -> ContractCheck:
        public = {m.name for m in helpers.module_expressions_to_modules(graph, self.public, raise_if_unmatched=True)}
        importers = {m.name for m in helpers.module_expressions_to_modules(graph, self.importers, as_packages=True,
                                                                           raise_if_unmatched=True)}
        package = self.package
        broken = []
        for importer in sorted(importers):
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                inside = imported == package or imported.startswith(package + ".")
                if inside and imported not in public:
                    for detail in graph.get_import_details(importer=importer, imported=imported):
                        broken.append(detail)
        return ContractCheck(kept=not broken, metadata={"broken": broken})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for detail in check.metadata["broken"]:
            output.print_error(f"- {detail['importer']} -> {detail['imported']} (l.{detail['line_number']}), not in "
                               f"{self.package}'s public surface: {detail['line_contents']}", bold=False)
            output.new_line()
