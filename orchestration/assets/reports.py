"""Leader reports (workbook + brief) regenerated after every successful publication.

Downstream of `published_warehouse` only, so a blocked refresh never produces
new reports: the last printed set stays beside the last published data.
"""

import dagster as dg

from orchestration.memory import return_freed_memory
from orchestration.resources import XunchaSettings
from reports.generate import generate_reports, report_year_for


@dg.asset(
    group_name="reports",
    deps=[dg.AssetKey("published_warehouse")],
    description="领导用统计表（Excel）与简报（HTML 与 Word 公文版），数据全部取自已发布仓库。",
    kinds={"excel", "html", "word"},
)
def leader_reports(settings: XunchaSettings) -> dg.MaterializeResult:
    home = settings.home_paths().root
    return_freed_memory()  # the workbook grows on what earlier stages freed (the peak at scale 10)
    year = report_year_for(home, settings.as_of_date().year)
    # The asset runs right after this refresh published, before last_refresh.json
    # is rewritten; generate_reports recognises that the publication is newer.
    paths = generate_reports(home, year, allow_stale=False)
    return dg.MaterializeResult(
        metadata={
            "paths": [str(p) for p in paths],
            "year": year if year is not None else "latest",
            "folder": dg.MetadataValue.path(str(paths[0].parent)),
        }
    )
