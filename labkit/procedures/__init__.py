"""Operations as runnable procedures (WIP)."""
from .engine import Advisory, Interruption, Procedure, ProcedureReport, Step, StepResult
