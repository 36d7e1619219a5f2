"""The JSON API, ``/api/v1``: a thin layer over the engine.

Requests and responses are validated against the pydantic models in ``schemas``; the same
models generate the OpenAPI document (``/api/v1/openapi.json``, via spectree). Errors are RFC
9457 problem details (``problems``).
"""
from __future__ import annotations

import copy
import json
import select
import socket
import time

from flask import Blueprint, Response, current_app, g, request, stream_with_context, url_for
from pydantic import ValidationError
from spectree import SpecTree
from spectree import Response as Responses

from . import schemas
from ..engine import ConflictError, InvalidBatch, NotFound, UnknownReference
from ..pipeline import jobs
from ..pipeline.executors import JudgingBusy
from .auth import any_keys_configured, known_key_name
from .observe import access_log
from .problems import PROBLEM_MIME, ApiProblem


def reject_invalid_request(req, resp, req_validation_error, instance, model_adapter=None):
    """spectree hook: turn a validation failure into a problem-details error."""
    if req_validation_error is not None:
        raise invalid_request(req, req_validation_error)


def is_malformed_json(req) -> bool:
    try:
        json.loads(req.get_data() or b"null")
    except ValueError:
        return True
    return False


def invalid_request(req, error: ValidationError) -> ApiProblem:
    if req.method != "GET" and is_malformed_json(req):
        return ApiProblem(400, "Malformed JSON", "the request body is not valid JSON (Content-Type: application/json)")
    errors = [
        {"loc": [str(part) for part in e.get("loc", ())], "msg": e.get("msg"), "type": e.get("type")}
        for e in error.errors()
    ]
    return ApiProblem(422, "Invalid request", "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors), errors)


def validated(model, data):
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid_request(request, exc) from exc


spec = SpecTree(
    "flask",
    title="Counterclaim API",
    version="1.0.0",
    description="Where do these narratives contradict each other? Aligned pairs of claims by different actors.",
    path="api/v1/docs",  # spectree's own routes; the document is served at /api/v1/openapi.json below
    filename="openapi.json",
    page_templates={},  # no Swagger/Redoc pages: they load scripts from a CDN
    mode="strict",
    before=reject_invalid_request,
    validation_error_status=422,
    validation_error_model=schemas.Problem,
    annotations=True,
)

bp = Blueprint("api", __name__, url_prefix="/api/v1")
COMPARE_RETRY_AFTER_S = 5

ERRORS = {"HTTP_400": schemas.Problem, "HTTP_401": schemas.Problem, "HTTP_403": schemas.Problem,
          "HTTP_413": schemas.Problem}
JSON_BODY_ERRORS = {**ERRORS, "HTTP_415": schemas.Problem}


def require_json_body(body) -> None:
    """spectree validates no JSON model for a form body (multipart/form-data, x-www-form-urlencoded)
    and hands the view None: refuse it."""
    if body is None:
        raise ApiProblem(415, "Unsupported Media Type", "send application/json")


def engine():
    return current_app.extensions["counterclaim"]


def caller() -> str:
    return getattr(request, "api_key_name", None) or "anonymous"


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document, generated from the pydantic models."""
    return problem_media_types(spec.spec)


def problem_media_types(document: dict) -> dict:
    """spectree documents every response as application/json; errors are application/problem+json."""
    document = copy.deepcopy(document)
    for operations in document["paths"].values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if int(status) >= 400 and "application/json" in content:
                    response["content"] = {PROBLEM_MIME: content["application/json"]}
    return document


@bp.get("/healthz")
@spec.validate(resp=Responses(HTTP_200=schemas.Health), tags=["meta"])
def healthz():
    """Liveness and sizes of the store and index."""
    return schemas.Health(status="ok", **engine().stats())


@bp.get("/readyz")
@spec.validate(resp=Responses(HTTP_200=schemas.Ready, HTTP_503=schemas.Problem), tags=["meta"])
def readyz():
    """Readiness: 200 once this process has its models loaded and reaches its store, else 503
    (while ``serve`` is loading, or when the store cannot be reached). Open, like liveness; it says
    nothing else."""
    try:
        engine().storage.count_statements()
    except Exception as exc:
        raise ApiProblem(503, "Not ready", "the store cannot be reached", headers={"Retry-After": "5"}) from exc
    return schemas.Ready(ready=True)


@bp.get("/search")
@spec.validate(query=schemas.SearchQuery, resp=Responses(HTTP_200=schemas.SearchResponse, **ERRORS), tags=["search"])
def search(query: schemas.SearchQuery):
    """Statements most similar to the query, with optional actor, source and date filters."""
    items = engine().search(query.q, query.k, query.actor, query.source, query.since, query.until)
    return schemas.SearchResponse(query=query.q, items=items)


@bp.get("/conflicts")
@spec.validate(query=schemas.ConflictsQuery, resp=Responses(HTTP_200=schemas.ConflictsResponse, **ERRORS),
               tags=["conflicts"])
def conflicts(query: schemas.ConflictsQuery):
    """Aligned pairs (claim A | claim B) on a topic, the highest score first (or by relevance × score),
    filtered by label, minimum score, actors, source and date range. An empty list with ``claims: 0``:
    nothing in the store is about the query."""
    found = engine().topic_conflicts(query.q, query.actor, query.label, query.min_score, query.limit, query.offset,
                                     query.order, query.actor_b, query.source, query.since, query.until,
                                     query.include_dismissed)
    return schemas.ConflictsResponse(query=query.q, limit=query.limit, offset=query.offset, **found)


@bp.get("/statements/<statement_id>")
@spec.validate(resp=Responses(HTTP_200=schemas.Statement, HTTP_404=schemas.Problem, **ERRORS), tags=["statements"])
def get_statement(statement_id: str):
    """One stored statement."""
    return schemas.Statement(**_found(engine().statement, statement_id))


@bp.get("/statements/<statement_id>/conflicts")
@spec.validate(query=schemas.StatementConflictsQuery,
               resp=Responses(HTTP_200=schemas.StatementConflictsResponse, HTTP_404=schemas.Problem, **ERRORS),
               tags=["conflicts"])
def statement_conflicts(statement_id: str, query: schemas.StatementConflictsQuery):
    """Every aligned pair of one statement, the statement as claim A."""
    statement = _found(engine().statement, statement_id)
    items = engine().statement_conflicts(statement_id, query.label, query.min_score, query.include_dismissed)
    return schemas.StatementConflictsResponse(statement=statement, items=items)


@bp.post("/statements")
@spec.validate(json=schemas.StatementsIn,
               resp=Responses(HTTP_201=schemas.IngestResponse, HTTP_409=schemas.Problem, **JSON_BODY_ERRORS),
               tags=["statements"])
def post_statements(json: schemas.StatementsIn):
    """Ingest one statement or a batch: stored, embedded and conflict-checked in one transaction."""
    require_json_body(json)
    items = [item.model_dump() for item in json.items()]
    try:
        results = engine().ingest(items, who=caller())
    except ConflictError as exc:
        raise ApiProblem(409, "Conflict", str(exc)) from exc
    except (UnknownReference, InvalidBatch) as exc:
        raise ApiProblem(422, "Invalid request", str(exc)) from exc
    body = schemas.IngestResponse(created=sum(r.created for r in results),
                                  items=[schemas.IngestItem(**r.__dict__) for r in results])
    return body, 201


@bp.delete("/statements/<statement_id>")
@spec.validate(resp=Responses(HTTP_204=None, HTTP_404=schemas.Problem, **ERRORS), tags=["statements"])
def delete_statement(statement_id: str):
    """Retract a statement: its vector and conflict edges go with it; the audit log keeps who and when."""
    _found(engine().retract_statement, statement_id, caller(), request.args.get("reason", "")[:500])
    return Response(status=204)


@bp.post("/documents")
@spec.validate(json=schemas.DocumentIn,
               resp=Responses(HTTP_201=schemas.DocumentIngestResponse, HTTP_200=schemas.DocumentIngestResponse,
                              HTTP_415=schemas.Problem, **ERRORS),
               tags=["documents"], skip_validation=True)
def post_document():
    """Ingest an article (JSON, or ``text/plain`` or ``text/html`` with title/source/url/date as query
    parameters): its attributed claims are extracted, stored, embedded and conflict-checked. A web page
    (or markup in any body) is reduced to its article text first. The same article again (same text,
    any source or format): 200 with the stored document, nothing new stored."""
    documents = _documents()
    try:
        if request.mimetype in HTML_TYPES or request.mimetype == "text/plain":
            meta = validated(schemas.DocumentMeta, request.args.to_dict())
            body = schemas.DocumentIn(text=documents.decode_text(request.get_data()), **meta.model_dump())
        elif request.mimetype == "application/json":
            body = validated(schemas.DocumentIn, request.get_json(silent=True))
        else:
            raise ApiProblem(415, "Unsupported Media Type", "send application/json, text/plain or text/html")
        result = engine().ingest_document(body.text, who=caller(), html=request.mimetype in HTML_TYPES,
                                          **body.model_dump(exclude={"text"}))
    except documents.DocumentRejected as exc:
        raise ApiProblem(exc.status, exc.title, exc.detail) from exc
    except ConflictError as exc:
        raise ApiProblem(409, "Conflict", str(exc)) from exc
    return schemas.DocumentIngestResponse(**result), 201 if result["created"] else 200


@bp.get("/documents/<doc_id>")
@spec.validate(resp=Responses(HTTP_200=schemas.Document, HTTP_404=schemas.Problem, **ERRORS), tags=["documents"])
def get_document(doc_id: str):
    """A stored article with the statements extracted from it."""
    return schemas.Document(**_found(engine().document, doc_id))


@bp.delete("/documents/<doc_id>")
@spec.validate(resp=Responses(HTTP_204=None, HTTP_404=schemas.Problem, **ERRORS), tags=["documents"])
def delete_document(doc_id: str):
    """Retract an article with all its statements, vectors and edges; the audit log keeps who and when."""
    _found(engine().retract_document, doc_id, caller(), request.args.get("reason", "")[:500])
    return Response(status=204)


HTML_TYPES = {"text/html", "application/xhtml+xml"}


def _documents():
    from .. import documents  # imports spaCy: only when documents are used

    return documents


@bp.get("/actors")
@spec.validate(resp=Responses(HTTP_200=schemas.ActorsResponse, **ERRORS), tags=["actors"])
def actors():
    """Known actors with their aliases, roles and statement counts."""
    return schemas.ActorsResponse(items=engine().actors())


@bp.post("/actors")
@spec.validate(json=schemas.ActorsIn, resp=Responses(HTTP_200=schemas.ActorsResponse, **JSON_BODY_ERRORS),
               tags=["actors"])
def post_actors(json: schemas.ActorsIn):
    """Add actors or aliases/roles to existing ones (used by extraction and the search filters)."""
    require_json_body(json)
    engine().update_actors([a.model_dump() for a in json.items()], who=caller())
    return schemas.ActorsResponse(items=engine().actors())


@bp.get("/pairs/<a>/<b>")
@spec.validate(resp=Responses(HTTP_200=schemas.AlignedPair, HTTP_404=schemas.Problem, **ERRORS), tags=["review"])
def get_pair(a: str, b: str):
    """The aligned pair judged between statements a and b (a as claim A), with its editor's review."""
    return schemas.AlignedPair(**_found(engine().pair, a, b))


@bp.post("/pairs/<a>/<b>/review")
@spec.validate(json=schemas.ReviewIn, resp=Responses(HTTP_200=schemas.AlignedPair, HTTP_404=schemas.Problem,
                                                     **JSON_BODY_ERRORS), tags=["review"])
def review_pair(a: str, b: str, json: schemas.ReviewIn):
    """An editor (write key) confirms or dismisses a pair, with a note. Dismissed pairs leave the lists
    (``include_dismissed=true`` shows them); confirmed ones are badged and exportable as ClaimReview.
    Audited; kept when the pair is judged again."""
    require_json_body(json)
    return schemas.AlignedPair(**_found(engine().review_pair, a, b, json.status, json.note, caller()))


@bp.get("/pairs/<a>/<b>/claimreview")
@spec.validate(resp=Responses(HTTP_404=schemas.Problem, HTTP_409=schemas.Problem, **ERRORS), tags=["review"])
def claim_review(a: str, b: str):
    """schema.org ClaimReview (JSON-LD) of claim a, for a pair an editor confirmed: the claim, its
    claimant, date and appearance, the verdict as the rating, claim b as the evidence cited."""
    from ..exports import claim_review as build

    pair = _found(engine().pair, a, b)
    if not pair["review"] or pair["review"]["status"] != "confirmed":
        raise ApiProblem(409, "Not confirmed", "only a pair an editor confirmed is exported as a ClaimReview "
                         f"(POST /api/v1/pairs/{a}/{b}/review with status confirmed)")
    kinds = {actor["name"]: actor["kind"] for actor in engine().actors()}
    document = build(pair, kinds, current_app.config["COUNTERCLAIM"].publisher)
    return Response(json.dumps(document), mimetype="application/ld+json")


@bp.post("/compare")
@spec.validate(json=schemas.CompareRequest, resp=Responses(HTTP_200=schemas.CompareResponse, **ERRORS),
               tags=["compare"], skip_validation=True)
def compare():
    """Bulk: claims checked against the store, or pairs judged; JSON, or NDJSON when
    ``Accept: application/x-ndjson`` (one result a line, streamed as it is computed)."""
    # Validated here, not by spectree, whose response validation would buffer the stream.
    json = validated(schemas.CompareRequest, request.get_json(silent=True))
    require_key_for_heavy_work(len(json.claims if json.claims is not None else json.pairs))
    judging = current_app.extensions["counterclaim.judging"]
    try:
        judging.take_slot()
    except JudgingBusy as exc:
        raise ApiProblem(503, "Judging busy", f"{exc}; retry after {COMPARE_RETRY_AFTER_S} s, or submit a job "
                         "(POST /api/v1/jobs) for bulk work", headers={"Retry-After": str(COMPARE_RETRY_AFTER_S)}) from exc
    try:
        scorer = judging.scorer(engine())  # a low-priority process: reads go first
        if json.claims is not None:
            results = engine().compare_claims([c.model_dump() for c in json.claims], json.k, scorer=scorer)
        else:
            results = engine().compare_pairs([p.model_dump() for p in json.pairs], scorer=scorer)
        results = _while_wanted(results, current_app.config["COUNTERCLAIM"].compare_deadline_s,
                                request.environ.get("gunicorn.socket"))
        if request.accept_mimetypes.best_match(["application/json", "application/x-ndjson"]) == "application/x-ndjson":
            return _ndjson(_releasing(judging, results))  # the slot is held while the stream is written
        try:
            items = list(results)
        except DeadlinePassed as exc:
            raise ApiProblem(503, "Deadline passed", str(exc)) from exc
        except ClientLeft as exc:
            raise ApiProblem(499, "Client Closed Request", "the client closed the connection") from exc
    except BaseException:
        judging.release_slot()
        raise
    judging.release_slot()
    return schemas.CompareResponse(items=items)


def require_key_for_heavy_work(items: int) -> None:
    """Once the server has keys, a comparison beyond ``compare_anonymous_max`` items needs one: judging
    is the costly part, and an anonymous caller must not be able to buy much of it."""
    limit = current_app.config["COUNTERCLAIM"].compare_anonymous_max
    if items > limit and any_keys_configured() and not known_key_name():
        raise ApiProblem(401, "Unauthorized", f"comparing more than {limit} items needs an "
                         "API key ('Authorization: Bearer <key>')", headers={"WWW-Authenticate": 'Bearer realm="counterclaim"'})


class ClientLeft(Exception):
    pass


class DeadlinePassed(Exception):
    def __init__(self, done: int, seconds: float):
        super().__init__(f"the comparison passed its deadline of {seconds:g} s after {done} results; "
                         "submit the rest as a job (POST /api/v1/jobs)")
        self.done = done


def _while_wanted(results, seconds: float, client_socket=None):
    """The results while someone waits for them: the judging stops when ``seconds`` have passed
    (``DeadlinePassed`` says where) or when the client has closed its connection (a client that
    left costs nothing more; under gunicorn, which hands its socket over)."""
    ends, done = time.monotonic() + seconds, 0
    try:
        for item in results:
            yield item
            done += 1
            if time.monotonic() > ends:
                raise DeadlinePassed(done, seconds)
            if client_socket is not None and client_has_left(client_socket):
                access_log.info("compare stopped: the client left", extra={"fields": {
                    "request_id": g.get("request_id"), "results": done}})
                raise ClientLeft()
    finally:
        close = getattr(results, "close", None)
        if close:
            close()


def client_has_left(sock) -> bool:
    """True once the peer has closed the connection: a readable socket whose peek reads the end of the
    stream. (Data waiting there is a pipelined request, and no peer; a socket that cannot be polled
    is no client any more.)"""
    try:
        poll = select.poll()
        poll.register(sock, select.POLLIN)
        if not poll.poll(0):
            return False
        return sock.recv(1, socket.MSG_PEEK) == b""
    except (BlockingIOError, InterruptedError, TimeoutError):
        return False
    except (OSError, ValueError):
        return True


def _releasing(judging, results):
    try:
        yield from results
    finally:
        judging.release_slot()


@bp.post("/jobs")
@spec.validate(json=schemas.JobIn, resp=Responses(HTTP_202=schemas.Job, **JSON_BODY_ERRORS), tags=["jobs"],
               skip_validation=True)
def post_job():
    """Submit a bulk job (up to 1,000,000 claims or pairs, or every aligned pair between two actors):
    202 with ``Location: /api/v1/jobs/<id>``; workers judge it in the background, and it survives restarts."""
    request.max_content_length = current_app.config["COUNTERCLAIM"].job_max_bytes  # before the body is read
    body = validated(schemas.JobIn, request.get_json(silent=True))
    if body.kind == "actors":
        items, spec = [], {"actor_a": body.actor_a, "actor_b": body.actor_b, "k": body.k}
    else:
        items = [item.model_dump(exclude_none=True) for item in (body.claims or body.pairs)]
        spec = {"k": body.k} if body.kind == "claims" else {}
    try:
        job = jobs.submit(engine(), body.kind, items, spec, caller())
    except jobs.JobTooLarge as exc:
        raise ApiProblem(413, "Job too large", str(exc)) from exc
    except jobs.NothingToJudge as exc:
        raise ApiProblem(422, "Invalid request", str(exc)) from exc
    return _job_response(job, 202, {"Location": url_for(".get_job", job_id=job["id"])})


@bp.get("/jobs/<job_id>")
@spec.validate(resp=Responses(HTTP_200=schemas.Job, HTTP_404=schemas.Problem, **ERRORS), tags=["jobs"],
               skip_validation=True)
def get_job(job_id: str):
    """A job's state (queued, running, done, failed, cancelled), progress (done/total, pairs/s, ETA) and error."""
    return _job_response(_job_found(jobs.status, engine(), job_id))


@bp.get("/jobs/<job_id>/results")
@spec.validate(query=schemas.JobResultsQuery, resp=Responses(HTTP_404=schemas.Problem, **ERRORS), tags=["jobs"],
               skip_validation=True)
def job_results(job_id: str):
    """The results so far, one JSON line per item in item order (NDJSON): the same shapes as ``/compare``
    (an actor job: each statement of A with its aligned pairs). ``?offset=n`` resumes at item n."""
    query = validated(schemas.JobResultsQuery, request.args.to_dict())
    job = _job_found(jobs.status, engine(), job_id)
    response = _ndjson(jobs.results(engine(), job_id, query.offset))
    response.headers["X-Job-State"] = job["state"]
    response.headers["X-Job-Done"] = str(job["progress"]["done"])
    return response


@bp.delete("/jobs/<job_id>")
@spec.validate(resp=Responses(HTTP_200=schemas.Job, HTTP_404=schemas.Problem, **ERRORS), tags=["jobs"],
               skip_validation=True)
def cancel_job(job_id: str):
    """Cancel a queued or running job; the results saved so far stay readable."""
    return _job_response(_job_found(jobs.cancel, engine(), job_id, caller()))


def _job_found(func, *args):
    try:
        return func(*args)
    except jobs.JobNotFound as exc:
        raise ApiProblem(404, "Not Found", str(exc)) from exc


def _job_response(job: dict, status: int = 200, headers: dict | None = None):
    return current_app.json.response(schemas.Job(**job).model_dump()), status, headers or {}


def _ndjson(results) -> Response:
    def lines():
        try:
            for item in results:
                yield json_line(item)
        except DeadlinePassed as exc:  # the status is sent already: the last line says it
            yield json_line({"error": {"status": 503, "title": "Deadline passed", "detail": str(exc), "done": exc.done}})
        except ClientLeft:
            return  # nobody reads this stream any more

    return Response(stream_with_context(lines()), mimetype="application/x-ndjson")


def json_line(item: dict) -> str:
    return json.dumps(item, ensure_ascii=False) + "\n"


def _found(func, *args):
    try:
        return func(*args)
    except NotFound as exc:
        raise ApiProblem(404, "Not Found", str(exc)) from exc
