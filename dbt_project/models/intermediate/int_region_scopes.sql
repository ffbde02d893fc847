-- 统计范围桥表（§6 Scopes）：区划内单位计入本区划所属的市和省（macros/report_scopes.sql）。
-- 市本级（XXYY00）单位计入该市和全省；省本级单位只计入全省。
{{ region_scopes(ref('int_regions_hierarchy')) }}
