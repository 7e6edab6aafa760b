-- Rankings across a subtree (issue 15 items 3-4): published results are found from the
-- units of a path range, so a province's ranking reads its own units' rows only.
CREATE INDEX assessment_result_unit_idx ON assessment_result(unit_id, request_id);
